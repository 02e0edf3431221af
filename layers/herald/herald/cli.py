"""The operator CLI (`herald`), run against AWS or, with AWS_ENDPOINT_URL set, the local cloud.

    herald workspace create --name NAME [--api-key KEY] [--stack herald | --table TABLE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="herald", description="Herald operator commands")
    parser.add_argument("--stack", default="herald", help="the deployed stack's name (table: STACK-table)")
    parser.add_argument("--table", help="the table's name, if not STACK-table")
    parser.add_argument("--region", help="AWS region (else the AWS environment's; us-east-1 locally)")
    nouns = parser.add_subparsers(dest="noun", required=True)
    workspace = nouns.add_parser("workspace", help="workspaces").add_subparsers(dest="verb", required=True)
    create = workspace.add_parser("create", help="create a workspace and print its first admin key")
    create.add_argument("--name", required=True)
    create.add_argument("--api-key", help="use this admin key instead of a random one (24+ characters)")
    return parser


def _configure(args: argparse.Namespace) -> None:
    os.environ["HERALD_TABLE_NAME"] = args.table or os.environ.get("HERALD_TABLE_NAME") or f"{args.stack}-table"
    if args.region:
        os.environ["AWS_DEFAULT_REGION"] = args.region
    elif "AWS_DEFAULT_REGION" not in os.environ and "AWS_REGION" not in os.environ:
        if os.environ.get("AWS_ENDPOINT_URL"):
            os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    if os.environ.get("AWS_ENDPOINT_URL") and "AWS_ACCESS_KEY_ID" not in os.environ:
        # The local cloud (moto) accepts any credentials.
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure(args)
    from herald import wiring
    from herald.errors import HeraldError

    wiring.reset()
    try:
        workspace, profile, issued = wiring.workspace_service().create_workspace(args.name, args.api_key)
    except HeraldError as exc:
        print(f"herald: {exc.message}", file=sys.stderr)
        return 2
    except Exception as exc:  # an AWS answer: say which table and what AWS said
        from herald.store.errors import error_code

        code = error_code(exc)
        if not code:
            raise
        table = os.environ["HERALD_TABLE_NAME"]
        hint = " (deploy the stack first, or name the table with --table)" if code == "ResourceNotFoundException" else ""
        print(f"herald: AWS answered {code} for table {table}{hint}: {exc}", file=sys.stderr)
        return 2
    print(
        json.dumps(
            {
                "workspace_id": workspace.id,
                "default_profile_id": profile.id,
                "api_key": issued.secret,
                "api_key_id": issued.key.id,
                "role": issued.key.role.value,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
