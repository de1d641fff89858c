from clinic.nlu.report import summarise
from harness.servers import ROOT

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


def test_each_language_gets_its_own_macro_f1_from_the_file_its_examples_come_from():
    from clinic.nlu.report import language_rows, scores_by_language

    def row(text, gold, predicted):
        return {"text": text, "intent": gold, "intent_prediction": {"name": predicted, "confidence": 0.9}}

    predictions = [
        row("hello", "greet", "greet"),
        row("bye", "goodbye", "goodbye"),
        row("hola", "greet", "greet"),
        row("adios", "goodbye", "greet"),
    ]
    scores = {score.language: score for score in scores_by_language(predictions, {"hola", "adios"})}
    assert scores["en"].macro_f1 == 1.0 and scores["en"].examples == 2
    assert scores["es"].examples == 2 and scores["es"].accuracy == 0.5
    assert abs(scores["es"].macro_f1 - (2 / 3 + 0) / 2) < 1e-9
    assert any("| es | **0.333** |" in line for line in language_rows(list(scores.values())))


def test_the_spanish_texts_are_read_without_their_entity_annotations(tmp_path):
    from clinic.nlu.report import spanish_texts

    data = tmp_path / "nlu_es.yml"
    data.write_text("nlu:\n- intent: x\n  examples: |\n    - tienen en [Irvine](city)?\n    - hola\n", encoding="utf-8")
    assert spanish_texts(data) == {"tienen en Irvine?", "hola"}


def test_the_evaluation_leaves_out_the_shape_components_and_their_examples(tmp_path):
    import yaml

    from clinic.nlu.evaluation import SHAPE_COMPONENTS, evaluation_config, prepare

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    names = [c["name"] for c in evaluation_config(config)["pipeline"]]
    assert not set(SHAPE_COMPONENTS) & set(names)
    assert set(SHAPE_COMPONENTS) <= {c["name"] for c in config["pipeline"]}, "a shape component was renamed"
    assert "clinic.nlu.intent_classifier.LinearIntentClassifier" in names
    assert "clinic.nlu.crisis_screen.CrisisScreen" in names
    prepare(tmp_path / "evaluate", config=ROOT / "config.yml", data=ROOT / "data")
    files = sorted(p.name for p in (tmp_path / "evaluate" / "data").iterdir())
    assert "nlu_es.yml" in files and "nlu.yml" in files and "nlu_dialogue.yml" not in files


def test_the_evaluation_leaves_out_every_marker_whose_intent_it_has_no_examples_of():
    # The insurance-plan marker relabels "do you take Kaiser?" (cost_insurance in the topic data)
    # as insurance_plan, whose examples are in the left-out nlu_dialogue.yml: left in, it counted
    # every plan question as a cost_insurance error.
    import yaml

    from clinic.nlu.evaluation import SHAPE_COMPONENTS, evaluation_config

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    names = [c["name"] for c in evaluation_config(config)["pipeline"]]
    assert "clinic.nlu.plans.InsurancePlanMarker" in SHAPE_COMPONENTS
    assert not [name for name in names if name.endswith("Marker")], names
