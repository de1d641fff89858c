"""The sentence-only count-vector featurizer gives Rasa's sentence features and no token rows."""

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic.nlu.featurizers import SentenceCountVectorsFeaturizer

EXAMPLES = [
    ("how long does ketamine last", "ketamine_duration"),
    ("wat r ur hrs on sat", "clinic_hours"),
    ("is there a clinic in irvine", "clinic_locations"),
    ("what is fibromyalgia exactly", "fibro_definition"),
]


def trained(featurizer_class, config, tmp_path):
    context = ExecutionContext(GraphSchema({}), "test")
    (tmp_path / featurizer_class.__name__).mkdir()
    storage = LocalModelStorage(tmp_path / featurizer_class.__name__)
    tokenizer = WhitespaceTokenizer.create(WhitespaceTokenizer.get_default_config(), storage, Resource("t"), context)
    data = TrainingData([Message(data={TEXT: text, "intent": intent}) for text, intent in EXAMPLES])
    tokenizer.process_training_data(data)
    featurizer = featurizer_class.create(
        {**featurizer_class.get_default_config(), **config}, storage, Resource("f"), context
    )
    featurizer.train(data)
    featurizer.process_training_data(data)
    return tokenizer, featurizer, data


@pytest.mark.parametrize("config", [{}, {"use_lemma": False}, {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5}])
def test_sentence_features_are_rasas_and_there_are_no_token_rows(tmp_path, config):
    rasas = trained(CountVectorsFeaturizer, config, tmp_path)
    ours = trained(SentenceCountVectorsFeaturizer, config, tmp_path)
    for rasa_example, our_example in zip(rasas[2].training_examples, ours[2].training_examples, strict=True):
        sequence, sentence = our_example.get_sparse_features(TEXT)
        assert sequence is None
        expected = rasa_example.get_sparse_features(TEXT)[1].features.toarray()
        np.testing.assert_array_equal(sentence.features.toarray(), expected)

    for text in ["how long does it last in irvine", "zzz unseen words", "hrs"]:
        messages = []
        for tokenizer, featurizer, _ in (rasas, ours):
            [message] = tokenizer.process([Message(data={TEXT: text})])
            [message] = featurizer.process([message])
            messages.append(message)
        rasa_message, our_message = messages
        assert our_message.get_sparse_features(TEXT)[0] is None
        np.testing.assert_array_equal(
            our_message.get_sparse_features(TEXT)[1].features.toarray(),
            rasa_message.get_sparse_features(TEXT)[1].features.toarray(),
        )


def training_texts() -> list[str]:
    import yaml

    texts = []
    for name in ("data/nlu.yml", "data/nlu_es.yml"):
        with open(name, encoding="utf-8") as file:
            for block in yaml.safe_load(file)["nlu"]:
                texts += [line[2:] for line in (block.get("examples") or "").splitlines() if line.startswith("- ")]
    return texts


@pytest.mark.parametrize(
    "settings",
    [
        {"ngram_range": (1, 2)},
        {"ngram_range": (1, 1), "binary": True},
        {"analyzer": "char_wb", "ngram_range": (2, 5), "strip_accents": "unicode"},
    ],
)
def test_sentence_counter_gives_scikit_learns_row(settings):
    from sklearn.feature_extraction.text import CountVectorizer

    from clinic.nlu.featurizers import SentenceCounter

    texts = training_texts()
    assert len(texts) > 5000
    # Fitted on half, so the other half brings words and n-grams outside the vocabulary.
    vectorizer = CountVectorizer(**settings).fit(texts[::2])
    counter = SentenceCounter(vectorizer)
    for text in [*texts[1::7], "", "zzzz qqq", "ÁNIMO ñandú", "hrs  on  sat??"]:
        ours, expected = counter.row(text), vectorizer.transform([text])
        expected.sort_indices()
        expected = expected.tocoo()
        assert ours.shape == expected.shape
        assert ours.dtype == expected.dtype
        np.testing.assert_array_equal(ours.col, expected.col)
        np.testing.assert_array_equal(ours.data, expected.data)


def test_an_unchecked_row_is_the_matrix_scipys_constructor_makes():
    from scipy.sparse import coo_matrix

    from clinic.nlu.featurizers import unchecked_row

    for columns in ([], [0], [2, 7, 11]):
        values = np.arange(1, len(columns) + 1, dtype=np.int64)
        index = np.array(columns, dtype=np.int32)
        ours = unchecked_row(values, index, 12)
        checked = coo_matrix((values, (np.zeros(len(columns), dtype=np.int32), index)), shape=(1, 12))
        assert sorted(vars(ours)) == sorted(vars(checked))
        for name, value in vars(checked).items():
            if isinstance(value, np.ndarray):
                assert value.dtype == vars(ours)[name].dtype
                np.testing.assert_array_equal(vars(ours)[name], value)
            else:
                assert vars(ours)[name] == value, name
        np.testing.assert_array_equal(ours.toarray(), checked.toarray())
        np.testing.assert_array_equal(ours.tocsr().toarray(), checked.tocsr().toarray())
