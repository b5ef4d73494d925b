"""moto's server, with one fix: moto 5.2.1 stores the UserData of
CreateLaunchTemplateVersion undecoded, and every Auto Scaling group launched
from such a version then fails with a 500 (CreateLaunchTemplate decodes it,
CreateLaunchTemplateVersion does not). The real API accepts it; so do we."""
import sys

from moto.ec2.models.launch_templates import LaunchTemplate
from moto.ec2.utils import parse_user_data
from moto.server import main

_create_version = LaunchTemplate.create_version


def create_version(self, data, description):
    if isinstance(data, dict) and isinstance(data.get("UserData"), str):
        data = {**data, "UserData": parse_user_data(data["UserData"])}
    return _create_version(self, data, description)


LaunchTemplate.create_version = create_version

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
