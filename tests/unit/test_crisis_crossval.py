"""The possible-crisis threshold chosen from cross-validated scores of the whole decision."""

import numpy as np

from clinic.safety.corpus import Example
from clinic.safety.crossval import choose_thresholds
from clinic.safety.normalise import normalise


def test_the_threshold_is_the_lowest_within_the_false_alarm_budget_in_every_language_and_style():
    examples, probabilities = [], []
    for language in ("en", "es"):
        for style in ("web", "sms"):
            for i in range(100):  # ordinary messages scored 0.000, 0.009, ..., 0.891
                examples.append(
                    Example(f"o-{language}-{style}", language, style, "ordinary", "none", f"o {language}{style}{i}")
                )
                probabilities.append(i * 0.009)
            for i in range(10):
                examples.append(
                    Example(
                        f"c-{language}-{style}",
                        language,
                        style,
                        "active_ideation",
                        "suicide_self_harm",
                        f"c {language}{style}{i}",
                    )
                )
                probabilities.append(0.95)
    texts = [normalise(example.text) for example in examples]
    kinds = [example.outcome if example.flagged else "none" for example in examples]
    caught = np.zeros(len(examples), dtype=bool)
    crisis, possible, slices = choose_thresholds(examples, texts, np.asarray(probabilities), kinds, caught)
    # Per language 200 ordinary messages: the two scored 0.891 fit a 1% budget, the two at 0.882 do not.
    assert 0.882 < possible <= 0.891
    assert crisis >= possible
    assert slices["all"].recall == 1.0
    assert all(slices[name].false_alarm_rate <= 0.01 for name in ("en", "es", "web", "sms"))
