"""Translate a SAM template to plain CloudFormation JSON (run with the tools venv's python).

cfn-lint is blind inside SAM resources (a `Runtime: python3.99` in a Serverless::Function
passes it), so the template tests lint this translation instead. samtranslator wants S3
locations for code, so every CodeUri/ContentUri becomes a dummy s3:// URI, and a region
(AWS_DEFAULT_REGION) for the pseudo parameters.

usage: python sam_translate.py TEMPLATE OUTPUT_JSON
"""

import json
import sys

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

CODE_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


def main(source: str, target: str) -> int:
    with open(source, encoding="utf-8") as handle:
        template = yaml_parse(handle.read())
    for logical_id, resource in template.get("Resources", {}).items():
        prop = CODE_PROPERTIES.get(resource.get("Type"))
        if prop and prop in resource.get("Properties", {}):
            resource["Properties"][prop] = f"s3://herald-template-tests/{logical_id}.zip"
    try:
        translated = Translator(managed_policy_map={}, sam_parser=Parser()).translate(template, parameter_values={})
    except InvalidDocumentException as exc:
        for cause in exc.causes:
            print(f"SAM translation error: {cause.message}", file=sys.stderr)
        return 1
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(translated, handle, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
