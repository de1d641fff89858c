"""NLU pieces shared by the Rasa pipeline: the project's spaCy model and custom components."""
