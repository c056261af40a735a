"""Standard DMN decision tables (all hit policies, FEEL unary tests) on top of SpiffWorkflow.

Public API:

* `engine.decisions.parser.DecisionParserMixin` -- mix into a SpiffWorkflow parser
  (`class ProcessParser(DecisionParserMixin, SpiffBpmnParser)`).
* `engine.decisions.serializer.register_converters(config_or_registry)` -- so running cases keep their tables.
* `engine.decisions.evaluate.evaluate_decision(parser, decision_id, variables, script_engine=None)`.
* `engine.decisions.errors.DecisionTableError` (load time) and `DecisionEvaluationError` (run time).
"""

from .errors import DecisionEvaluationError, DecisionTableError

__all__ = ["DecisionEvaluationError", "DecisionTableError"]
