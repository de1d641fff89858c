from clinic.topics import TOPIC_LABELS, best_guess, topic_label


def test_every_answerable_intent_has_a_label(domain):
    unlabeled = (
        set(domain["intents"])
        - set(TOPIC_LABELS)
        - {"affirm", "deny", "out_of_scope", "crisis", "possible_crisis"}
        # Decided from the message's own words, never offered back as "Did you mean ...?": its
        # shape (several questions, a follow-up, noise) or the service it names.
        - {"several_questions", "follow_up", "noise", "clinic_services"}
    )
    assert unlabeled == set()


def test_best_guess_skips_intents_that_cannot_be_confirmed():
    ranking = [{"name": "nlu_fallback"}, {"name": "out_of_scope"}, {"name": "ketamine_onset"}]
    assert best_guess(ranking) == "ketamine_onset"


def test_best_guess_is_none_without_a_confirmable_intent():
    assert best_guess([{"name": "affirm"}, {"name": "crisis"}]) is None


def test_topic_label_reads_like_plain_language():
    assert topic_label("ketamine_onset") == "how fast ketamine works"
    assert topic_label("no_such_intent") is None
