from clinic.nlu.report import summarise

REPORT = {
    "greet": {"precision": 1.0, "recall": 0.9, "f1-score": 0.947, "support": 10},
    "crisis": {"precision": 0.8, "recall": 1.0, "f1-score": 0.889, "support": 8},
    "accuracy": 0.94,
    "macro avg": {"precision": 0.9, "recall": 0.95, "f1-score": 0.918, "support": 18},
    "weighted avg": {"precision": 0.91, "recall": 0.94, "f1-score": 0.92, "support": 18},
}


def test_summary_leads_with_macro_f1_and_lists_weakest_intents_first():
    summary = summarise(REPORT, folds=5)
    assert "intent macro-F1: **0.918**" in summary
    assert summary.index("| crisis |") < summary.index("| greet |")
    assert "macro avg |" not in summary
