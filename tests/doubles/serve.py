"""Run the Infisical or GitHub secrets double on 127.0.0.1 until interrupted, for trying the secrets stage by
hand (`onboard network NAME --only secrets`) against a sandbox.

    python -m tests.doubles.serve infisical
    python -m tests.doubles.serve github

It prints the onboard.toml table and the environment variables to use; stop it with Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import threading

from tests.doubles.github_secrets import GitHubSecretsDouble
from tests.doubles.infisical import InfisicalDouble


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=["infisical", "github"])
    service = parser.parse_args().service
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())

    if service == "infisical":
        double = InfisicalDouble().start()
        print(f'[secrets.infisical]\nurl = "{double.url}"\nproject_id = "{double.project_id}"\n'
              f'environment = "{double.environment}"\n')
        print(f"export INFISICAL_CLIENT_ID={double.client_id} INFISICAL_CLIENT_SECRET={double.client_secret}", flush=True)
    else:
        double = GitHubSecretsDouble().start()
        print(f'[secrets.github]\nrepository = "{double.repository}"\napi_url = "{double.url}"\n')
        print(f"export GITHUB_TOKEN={double.token}", flush=True)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    double.stop()


if __name__ == "__main__":
    main()
