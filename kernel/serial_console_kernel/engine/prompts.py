"""Engine: what a prompt looks like, and what a pager waiting for a key looks like.

A prompt counts only where it begins its logical line (the rows joined where the text wrapped):
output that happens to pause after `#`, `$` or `>` (`Linux version 6.1 (gcc) #` + `1 SMP …`)
is not a prompt.  Questions that end a sentence (`(Y/N)?`, `password for root:`) are the
exception: they may stand at the end of any line.  The shapes are data, one per row.
"""

from __future__ import annotations

import re

from .patterns import Pattern, compile_pattern

# Anchored at the start of the logical line that holds the cursor.
LINE_PROMPTS = (
    r"[\w.-]+@[\w.()-]+(?::[^\n]*?)?\s?[#$%>]",  # user@host:path#   root@(none):/#   zsh user@host%
    r"\[[^\]\n]+\]\s?[#$%]",                     # [user@host path]$
    r"[\w.-]*\s?[#$>]",                          # bash-5.2#  sh-5.2$  grub>  SAC>  Router#  #  >
    r"[A-Za-z][\w.-]*\s?%",                      # zsh host%
    r"\S+ [#$]",                                 # busybox '/ # '   '~ $ '
    r"!SAC>",                                    # SAC after a bug check
    r"PS [A-Za-z]:\\[^>\n]*>",                   # PS C:\Users\Administrator>
    r"[A-Za-z]:\\[^>\n]*>",                      # C:\Windows\system32>
    r"=>",                                       # U-Boot
    r"\S*\s?[Ll]ogin:",                          # debian-target login:
    r"[Uu]sername:",                             # SAC sign-in
    r"Domain\s*:",
    r"Password:",
    r"\(or (?:press|type) Control-D[^)\n]*\):",  # systemd and busybox sulogin
)
# Anywhere at the end of the line: questions that close a sentence.
QUESTION_PROMPTS = (
    r"\((?:Y/N|y/n|yes/no)\)\??",
    r"\[(?:Y/n|y/N|y/n|Y/N)\]\??",
    r"[Pp]assword(?: for [^:\n]+)?:",            # [sudo] password for root:   root@host's password:
)

DEFAULT_PROMPT = (
    "^(?:" + "|".join(LINE_PROMPTS) + r")\s*$|(?:" + "|".join(QUESTION_PROMPTS) + r")\s*$"
)

# A path inside a prompt: it changes with `cd` and the prompt is still the same one.
_PATH = re.compile(r"(?:(?<![\w.@-])[A-Za-z]:)?[~/\\][^#$%>\]\n]*")

# The cursor row of a pager that waits for a key.
PAGER = re.compile(
    r"\(END\)|\blines \d+-\d+(?:/\d+)?\b|--\s?More\s?--|Press RETURN to continue"
)
PAGER_NOTE = ("the console is in a pager waiting for a key: %key q leaves it; "
              "to avoid pagers, use --no-pager or set PAGER=cat (| more on Windows pages too)")


def compile_prompt(pattern: str) -> Pattern:
    """A user's `%prompt REGEX` is anchored as the built-in shapes are: from the start of the
    logical line to the cursor (write `.*PATTERN` to match anywhere)."""
    if pattern != DEFAULT_PROMPT:
        pattern = f"^(?:{pattern})\\s*$"
    return compile_pattern(pattern, what="prompt regex")


def learned_prompt(text: str) -> Pattern | None:
    """The exact prompt that ended a line, with its path part free to change.  Its trailing
    space is part of it: the next line ends once that space came too (it may come in a later
    packet, and the cell would show the cursor before it)."""
    if not text.strip():
        return None
    parts, position = [], 0
    for match in _PATH.finditer(text):
        parts.append(re.escape(text[position:match.start()]))
        parts.append(r"(?:[A-Za-z]:)?[~/\\][^#$%>\]\n]*?")
        position = match.end()
    parts.append(re.escape(text[position:]))
    return compile_pattern("^" + "".join(parts) + r"\s*$")


def pager_waiting(cursor_row: str) -> bool:
    return PAGER.search(cursor_row) is not None
