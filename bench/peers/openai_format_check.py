#!/usr/bin/env python3
"""The check most people run on a fine-tuning file instead of a linter: the peer of `tunelab lint`
in `npm run bench` (bench/cli.bench.ts).

Reads a JSON Lines file with `json.loads` per line and applies the format checks of OpenAI's
cookbook "Data preparation and analysis for chat model fine-tuning"
(https://cookbook.openai.com/examples/chat_finetuning_data_prep, source
https://github.com/openai/openai-cookbook/blob/main/examples/Chat_finetuning_data_prep.ipynb,
cell "Format error checks"), one error kind each:

  data_type                          the line is not a JSON object
  missing_messages_list              no (or an empty) "messages"
  message_missing_key                a message without "role" or "content"
  message_unrecognized_key           a key other than role, content, name, function_call, weight
  unrecognized_role                  a role other than system, user, assistant, function
  missing_content                    content empty (and no function_call) or not a string
  example_missing_assistant_message  no assistant message

The cookbook loads the whole file with json.loads per line first; a line that does not parse
stops it with an exception. Here it is counted (`json_syntax`) and the rest is read, so the
peer reads every line as the linter does, and rows are checked as they are read (streaming).

With --format jumpstart the lines are JumpStart instruction records instead: "instruction" and
"response" must be strings and "context", when present, a string, the fields JumpStart's default
instruction template reads (src/core/formats/jumpstartTemplate.ts).

Prints each error kind with its count (or "No errors found", as the cookbook does) and the
number of lines. Exit code 0 when no errors, 1 otherwise, 2 when the file cannot be read.
Usage: python3 openai_format_check.py <file.jsonl> [--format openai|jumpstart]
"""
import argparse
import json
import sys
from collections import defaultdict

MESSAGE_KEYS = ("role", "content", "name", "function_call", "weight")
ROLES = ("system", "user", "assistant", "function")


def check_chat(record, errors):
    if not isinstance(record, dict):
        errors["data_type"] += 1
        return
    messages = record.get("messages", None)
    if not messages:
        errors["missing_messages_list"] += 1
        return
    for message in messages:
        if "role" not in message or "content" not in message:
            errors["message_missing_key"] += 1
        if any(key not in MESSAGE_KEYS for key in message):
            errors["message_unrecognized_key"] += 1
        if message.get("role", None) not in ROLES:
            errors["unrecognized_role"] += 1
        content = message.get("content", None)
        if (not content and not message.get("function_call", None)) or not isinstance(content, str):
            errors["missing_content"] += 1
    if not any(message.get("role", None) == "assistant" for message in messages):
        errors["example_missing_assistant_message"] += 1


def check_jumpstart(record, errors):
    if not isinstance(record, dict):
        errors["data_type"] += 1
        return
    for key in ("instruction", "response"):
        if not isinstance(record.get(key, None), str):
            errors["missing_" + key] += 1
    if "context" in record and not isinstance(record["context"], str):
        errors["context_not_string"] += 1


def main(argv):
    parser = argparse.ArgumentParser(description="The OpenAI cookbook's format checks on a JSON Lines file.")
    parser.add_argument("file")
    parser.add_argument("--format", choices=("openai", "jumpstart"), default="openai")
    args = parser.parse_args(argv)
    fmt = args.format
    check = check_chat if fmt == "openai" else check_jumpstart
    errors = defaultdict(int)
    lines = 0
    try:
        with open(args.file, encoding="utf-8") as f:
            for line in f:
                lines += 1
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    errors["json_syntax"] += 1
                    continue
                check(record, errors)
    except (OSError, UnicodeDecodeError) as e:
        sys.stderr.write(f"cannot read {args.file}: {e}\n")
        return 2
    if errors:
        print("Found errors:")
        for kind, count in errors.items():
            print(f"{kind}: {count}")
    else:
        print("No errors found")
    print(f"lines: {lines}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
