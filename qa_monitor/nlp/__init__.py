"""One NLP pass per message (language, sentences, features), shared by every detector."""
