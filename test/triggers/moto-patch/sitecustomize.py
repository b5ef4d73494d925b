# Loaded by the moto server of the trigger tests (PYTHONPATH points here).
# moto 5.2.1 runs state machines (stepfunctions.execute_state_machine) but
# fails every StartExecution after the first with "cannot pickle
# '_thread.RLock' object": it deep-copies the state machine, and through it the
# running executions and their threads (getmoto/moto#10077, fixed upstream by
# getmoto/moto#10093). The copy is only a snapshot of the definition: share the
# backend and leave the executions out. Remove once moto > 5.2.1 is installed.
import copy

from moto.stepfunctions.models import StateMachine


def _snapshot(self, memo):
    clone = copy.copy(self)
    memo[id(self)] = clone
    for name, value in vars(self).items():
        if name == "backend":
            continue
        setattr(clone, name, [] if name == "executions" else copy.deepcopy(value, memo))
    return clone


StateMachine.__deepcopy__ = _snapshot
