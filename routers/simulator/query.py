"""RouterOS API ``?`` query words, evaluated the way RouterOS does: each word
pushes a boolean on a stack, ``?#`` applies operations to the stack, and an
item matches when every value left on the stack is true.

* ``?name`` — the item has the property; ``?-name`` — it does not.
* ``?name=x`` and ``?=name=x`` — the property equals ``x``.
* ``?<name=x`` / ``?>name=x`` — less / greater than ``x`` (numbers compare as
  numbers, anything else as text).
* ``?#ops`` — ``!`` negates the top value, ``&`` and ``|`` pop two and push
  the result, digits push a copy of the value at that index (0 is the top;
  digits at the end of the word replace the stack with that value), ``.``
  after a non-index pushes a copy of the top.
"""

from __future__ import annotations

from collections.abc import Callable

from routers.simulator.protocol import WireError

Item = dict[str, str]
Step = Callable[[Item, list[bool]], None]


def _number(value: str):
    try:
        return int(value)
    except ValueError:
        return None


def _compare(left: str | None, right: str, op: str) -> bool:
    if left is None:
        return False
    a, b = _number(left), _number(right)
    if a is None or b is None:
        a, b = left, right
    return a < b if op == "<" else a > b


def _push(test: Callable[[Item], bool]) -> Step:
    def step(item, stack):
        stack.append(test(item))

    return step


def _ops(ops: str) -> Step:
    def step(item, stack):
        index = ""
        previous_was_index = False
        for position, char in enumerate(ops):
            if char.isdigit():
                index += char
                continue
            if index:
                _copy_index(stack, int(index))
                index = ""
                previous_was_index = True
            else:
                previous_was_index = False
            if char == "!":
                _need(stack, 1)
                stack[-1] = not stack[-1]
            elif char in "&|":
                _need(stack, 2)
                right, left = stack.pop(), stack.pop()
                stack.append((left and right) if char == "&" else (left or right))
            elif char == ".":
                if not previous_was_index:
                    _need(stack, 1)
                    stack.append(stack[-1])
            else:
                raise WireError(f"unknown query operation {char!r} at {position}")
        if index:
            _need(stack, int(index) + 1)
            value = stack[-1 - int(index)]
            stack[:] = [value]

    return step


def _need(stack, count):
    if len(stack) < count:
        raise WireError("query stack underflow")


def _copy_index(stack, index):
    _need(stack, index + 1)
    stack.append(stack[-1 - index])


def compile_query(words: list[str]) -> Callable[[Item], bool] | None:
    """Compile ``?`` words into a predicate; ``None`` when there are none."""
    steps: list[Step] = []
    for word in words:
        body = word[1:]
        if body.startswith("#"):
            steps.append(_ops(body[1:]))
        elif body.startswith(("<", ">")):
            name, sep, value = body[1:].partition("=")
            if not sep:
                raise WireError(f"comparison without a value: {word!r}")
            steps.append(
                _push(lambda item, n=name, v=value, o=body[0]: _compare(item.get(n), v, o))
            )
        elif body.startswith("="):
            name, sep, value = body[1:].partition("=")
            steps.append(_push(lambda item, n=name, v=value: item.get(n) == v))
        elif body.startswith("-"):
            steps.append(_push(lambda item, n=body[1:]: n not in item))
        elif "=" in body:
            name, _, value = body.partition("=")
            steps.append(_push(lambda item, n=name, v=value: item.get(n) == v))
        elif body:
            steps.append(_push(lambda item, n=body: n in item))
        else:
            raise WireError("empty query word")
    if not steps:
        return None

    def predicate(item: Item) -> bool:
        stack: list[bool] = []
        for step in steps:
            step(item, stack)
        return all(stack)

    return predicate
