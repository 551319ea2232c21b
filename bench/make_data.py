"""Entry point of the data generator: `python -m bench.make_data --scale N` (Django
must be set up before the models in bench.generate can be imported)."""

import argparse
import json

import django


def main():
    parser = argparse.ArgumentParser(description="Generate the benchmark's data set.")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--rush-capacity", type=int, default=400)
    args = parser.parse_args()
    django.setup()
    from bench.generate import generate

    def progress(step, done, total):
        print(json.dumps({"step": step, "done": done, "total": total}), flush=True)

    summary = generate(scale=args.scale, progress=progress, rush_capacity=args.rush_capacity)
    print(json.dumps({"summary": summary}), flush=True)


if __name__ == "__main__":
    main()
