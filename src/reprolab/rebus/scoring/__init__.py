"""From a model's text to a verdict: final-answer `extraction`, `grading` against the accepted
answers, the `regrade` of the released answers, and the optional LLM `judge`."""
