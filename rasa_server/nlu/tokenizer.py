"""Graph component: Rasa's JiebaTokenizer for what the NLU reads, the text users type.

Rasa's tokenizers also tokenize every training example's response, the full FAQ answer in both
languages. Nothing in this pipeline reads those tokens (the linear classifier learns from the
question text; the answer comes from the domain when `utter_faq` runs), and the answers are
ten times longer than the questions: jieba spent about 90% of the tokenising time on them,
10 of 11 seconds of `rasa train` on an idle core, more than half a minute on a loaded machine.
This tokenizer tokenizes the text of training examples and keeps Rasa's handling of names
(intents, actions) and of incoming messages unchanged.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class JiebaTextTokenizer(JiebaTokenizer):
    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            if example.get(TEXT):
                example.set(TOKENS_NAMES[TEXT], self.tokenize(example, TEXT))
        return training_data
