"""The search page's Content-Security-Policy: the site's policy plus 'wasm-unsafe-eval'.

Pagefind searches with WebAssembly. Browsers compile WebAssembly only where script-src (or,
without it, default-src) allows 'wasm-unsafe-eval'. That keyword allows WebAssembly and
nothing else: no eval() or new Function() of JavaScript, no inline scripts. Only the search
page gets it.
"""

from __future__ import annotations

WASM = "'wasm-unsafe-eval'"


def directives(policy: str) -> list[tuple[str, list[str]]]:
    """[(name, sources)] in order; names lower-cased, empty directives dropped."""
    parsed = []
    for part in policy.split(";"):
        tokens = part.split()
        if tokens:
            parsed.append((tokens[0].lower(), tokens[1:]))
    return parsed


def with_wasm(policy: str) -> str:
    """`policy` with 'wasm-unsafe-eval' added to the directive that governs scripts."""
    parsed = directives(policy)
    names = [name for name, _ in parsed]
    if "script-src" in names:
        target = "script-src"
    elif "default-src" in names:
        # Adding to default-src would loosen every other fetch directive that falls back to
        # it; a script-src of its own with the same sources keeps them as they are.
        default = next(sources for name, sources in parsed if name == "default-src")
        parsed.insert(names.index("default-src") + 1, ("script-src", list(default)))
        target = "script-src"
    else:
        return policy  # scripts are not restricted at all, so WebAssembly is not either
    result = []
    for name, sources in parsed:
        if name == target and WASM not in sources:
            sources = [s for s in sources if s != "'none'"] + [WASM]
        result.append(" ".join([name, *sources]))
    return "; ".join(result)
