from clinic.topics import best_guess, confirmation_prompt, topic_label, topic_labels


def test_every_answerable_intent_has_a_label(domain):
    unlabeled = (
        set(domain["intents"])
        - set(topic_labels())
        - {"affirm", "deny", "out_of_scope", "crisis", "possible_crisis", "change_language"}
        # Decided from the message's own words, never offered back as "Did you mean ...?": its
        # shape (several questions, a follow-up, noise), the service or the insurance plan it names.
        - {"several_questions", "follow_up", "noise", "clinic_services", "insurance_plan"}
    )
    assert unlabeled == set()


def test_every_label_has_a_spanish_twin():
    assert set(topic_labels("es")) == set(topic_labels("en"))
    assert topic_label("ketamine_onset", "es") == "qué tan rápido funciona la ketamina"


def test_the_did_you_mean_question_is_asked_in_the_conversations_language():
    prompt = confirmation_prompt("cost_insurance", "socketio", "es")
    assert prompt["text"] == "Perdón, no estoy seguro de haber entendido. ¿Quiso decir el costo y el seguro?"
    assert [b["payload"] for b in prompt["buttons"]] == ["/cost_insurance", "/deny", "/request_human"]
    assert prompt["buttons"][0]["title"] == "Sí"
    assert confirmation_prompt("cost_insurance")["text"].endswith("Did you mean cost and insurance?")


def test_best_guess_skips_intents_that_cannot_be_confirmed():
    ranking = [{"name": "nlu_fallback"}, {"name": "out_of_scope"}, {"name": "ketamine_onset"}]
    assert best_guess(ranking) == "ketamine_onset"


def test_best_guess_is_none_without_a_confirmable_intent():
    assert best_guess([{"name": "affirm"}, {"name": "crisis"}]) is None


def test_topic_label_reads_like_plain_language():
    assert topic_label("ketamine_onset") == "how fast ketamine works"
    assert topic_label("no_such_intent") is None
