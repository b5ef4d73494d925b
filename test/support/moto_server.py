"""moto's server, with two fixes for bugs of moto 5.2.1.

1. It stores the UserData of CreateLaunchTemplateVersion undecoded, and every
   Auto Scaling group launched from such a version then fails with a 500
   (CreateLaunchTemplate decodes it, CreateLaunchTemplateVersion does not).
   The real API accepts it; so do we.
2. When it runs state machines (stepfunctions.execute_state_machine), every
   StartExecution after the first fails with "cannot pickle '_thread.RLock'
   object": it deep-copies the state machine, and through it the running
   executions and their threads (getmoto/moto#10077, fixed upstream by
   getmoto/moto#10093). The copy is only a snapshot of the definition: share
   the backend and leave the executions out.

Remove each fix once a moto release that has it is installed."""
import copy
import sys

from moto.ec2.models.launch_templates import LaunchTemplate
from moto.ec2.utils import parse_user_data
from moto.server import main
from moto.stepfunctions.models import StateMachine

_create_version = LaunchTemplate.create_version


def create_version(self, data, description):
    if isinstance(data, dict) and isinstance(data.get("UserData"), str):
        data = {**data, "UserData": parse_user_data(data["UserData"])}
    return _create_version(self, data, description)


def state_machine_snapshot(self, memo):
    clone = copy.copy(self)
    memo[id(self)] = clone
    for name, value in vars(self).items():
        if name == "backend":
            continue
        setattr(clone, name, [] if name == "executions" else copy.deepcopy(value, memo))
    return clone


LaunchTemplate.create_version = create_version
StateMachine.__deepcopy__ = state_machine_snapshot

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
