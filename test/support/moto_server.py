"""moto's server, with two fixes for bugs of moto 5.2.1 and one operation it lacks.

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
3. It does not implement DeleteLaunchTemplateVersions (EC2 API reference,
   "DeleteLaunchTemplateVersions": up to 200 versions per request; the
   default version cannot be deleted; each version is reported in
   SuccessfullyDeletedLaunchTemplateVersions or, with its ResponseError, in
   UnsuccessfullyDeletedLaunchTemplateVersions). Deleted versions stay in
   moto's list, which numbers versions by position, marked deleted: describes
   and lookups skip them, $Latest is the highest one left, and numbers are not
   reused.

Remove each fix once a moto release that has it is installed."""
import copy
import sys

from moto.core.responses import ActionResult
from moto.ec2.exceptions import InvalidLaunchTemplateVersionNotFound
from moto.ec2.models.launch_templates import LaunchTemplate, LaunchTemplateBackend
from moto.ec2.responses.launch_templates import LaunchTemplates
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


_get_version = LaunchTemplate.get_version
_describe_versions = LaunchTemplateBackend.describe_launch_template_versions


def is_deleted(version):
    return getattr(version, "deleted", False)


def latest_version(self):
    return [v for v in self.versions if not is_deleted(v)][-1]


def get_version(self, num):
    if str(num).lower() == "$latest":
        return self.latest_version()
    version = _get_version(self, num)
    if is_deleted(version):
        raise InvalidLaunchTemplateVersionNotFound(template_id=self.id, version=num)
    return version


def describe_versions(self, *args, **kwargs):
    return [(t, v) for t, v in _describe_versions(self, *args, **kwargs) if not is_deleted(v)]


def delete_launch_template_versions(self):
    name = self._get_param("LaunchTemplateName")
    template_id = self._get_param("LaunchTemplateId")
    template = self.ec2_backend.get_launch_template_by_name(name) if name else self.ec2_backend.get_launch_template(template_id)
    self.error_on_dryrun()
    done, failed = [], []
    for number in self._get_param("Versions", []):
        item = {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name, "VersionNumber": int(number)}
        version = next((v for v in template.versions if str(v.number) == str(number) and not is_deleted(v)), None)
        if version is None:
            failed.append({**item, "ResponseError": {"Code": "launchTemplateVersionDoesNotExist", "Message": f"The specified launch template version {number} does not exist."}})
        elif template.is_default(version):
            failed.append({**item, "ResponseError": {"Code": "unexpectedError", "Message": "You cannot delete the default version of a launch template."}})
        else:
            version.deleted = True
            done.append(item)
    return ActionResult({"SuccessfullyDeletedLaunchTemplateVersions": done, "UnsuccessfullyDeletedLaunchTemplateVersions": failed})


LaunchTemplate.create_version = create_version
LaunchTemplate.latest_version = latest_version
LaunchTemplate.get_version = get_version
LaunchTemplateBackend.describe_launch_template_versions = describe_versions
LaunchTemplates.delete_launch_template_versions = delete_launch_template_versions
StateMachine.__deepcopy__ = state_machine_snapshot

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
