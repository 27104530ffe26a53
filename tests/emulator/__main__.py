# EMULATOR: serves emulator test data, never registry answers.
"""Serve the registry emulator until Ctrl-C: ``python -m tests.emulator --synthetic 1000``."""
import argparse
import threading

from . import start


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
    parser.add_argument("--synthetic", type=int, default=0, help="number of synthetic works to add")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--no-rate-limits", action="store_true", help="never answer 429")
    args = parser.parse_args()
    with start(args.synthetic, latency=args.latency, rate_limits=not args.no_rate_limits) as emu:
        # the four endpoints only: a test key or mailto left in a shell would reach the real
        # registries after `unset`ting the endpoints
        for name, value in emu.env(identified=False).items():
            print(f"export {name}={value}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
