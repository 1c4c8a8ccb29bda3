"""Language models: packaged model zoo, log-likelihood scoring, generation, chat/API backends."""
