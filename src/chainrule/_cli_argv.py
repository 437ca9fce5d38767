"""Values that start with ``-`` on the ``chainrule`` command line, taken as users write them.

argparse reads every word that starts with ``-`` (and is not a plain negative number) as an
option, so ``chainrule diff "-x**2" --at x=1`` or ``plot ... --from -pi`` would fail with
"expected one argument". Before argparse sees the words, :func:`protect_dashes` rewrites
the ones that are values:

- a value of an option that takes one (``--from -pi``) is joined to it (``--from=-pi``);
- any other word that starts with ``-`` but names no option of the command (``"-x**2"``,
  ``-pi`` after ``--at``) gets a leading space, which argparse leaves alone and the
  expression parser strips.

Real options keep working, abbreviated (``--ord 2``) or with a joined value (``-oplot.svg``),
and a real option wins where a value could be read as one (``-h`` is help). Words after a
bare ``--`` are left as they are.
"""

from __future__ import annotations

import argparse


class OptionTable:
    """For each command: its option strings and whether each takes exactly one value."""

    def __init__(self):
        self.commands: dict[str, dict[str, bool]] = {}

    def record(self, command: str, option_strings, takes_value: bool) -> None:
        options = self.commands.setdefault(command, {"-h": False, "--help": False})
        for option in option_strings:
            options[option] = takes_value


class RecordingParser(argparse.ArgumentParser):
    """An ArgumentParser that tells an OptionTable about each option it is given."""

    def __init__(self, *args, table: OptionTable, command: str, **kwargs):
        self._table = table  # before super().__init__, which adds -h
        self._command = command
        super().__init__(*args, **kwargs)

    def add_argument(self, *names, **kwargs):
        action = super().add_argument(*names, **kwargs)
        if action.option_strings:
            takes_value = action.nargs is None and kwargs.get("action") in (None, "store")
            self._table.record(self._command, action.option_strings, takes_value)
        return action


def _option(word: str, options: dict) -> str | None:
    """The option ``word`` names (exactly, abbreviated, or with a joined value), else None."""
    if word in options:
        return word
    if word.startswith("--"):
        name = word.split("=", 1)[0]
        if name in options:
            return name
        matches = [o for o in options if o.startswith("--") and o.startswith(name)]
        return matches[0] if len(matches) == 1 and len(name) > 2 else None
    short = word[:2]
    if short in options and options[short]:  # -ofile.png: a short option and its value
        return short
    return None


def protect_dashes(argv: list, table: OptionTable) -> list:
    """``argv`` with the values that start with ``-`` rewritten so argparse reads them as
    values (see the module's docstring)."""
    words = list(argv)
    command_at = next((i for i, w in enumerate(words) if w in table.commands), None)
    if command_at is None:
        return words
    options = table.commands[words[command_at]]
    out = words[: command_at + 1]
    rest = iter(words[command_at + 1 :])
    for word in rest:
        if word == "--":
            out.append(word)
            out.extend(rest)
            break
        if not word.startswith("-") or word == "-":
            out.append(word)
            continue
        option = _option(word, options)
        if option is None:
            out.append(" " + word)  # a value: argparse does not read " -x" as an option
            continue
        if options[option] and word in (option, *_abbreviations(option, word)):
            value = next(rest, None)
            if value is None:
                out.append(word)  # argparse reports the missing value
            elif value.startswith("-") and value != "-" and _option(value, options) is None:
                out.append(f"{word}={value}" if word.startswith("--") else word + value)
            else:
                out.extend((word, value))
            continue
        out.append(word)
    return out


def _abbreviations(option: str, word: str) -> tuple:
    """``word`` itself when it is an abbreviation of the long ``option`` (no joined value)."""
    if option.startswith("--") and "=" not in word and option.startswith(word):
        return (word,)
    return ()
