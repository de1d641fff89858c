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
