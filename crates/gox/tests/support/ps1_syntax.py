"""Parse PowerShell files with tree-sitter's PowerShell grammar; print every syntax error.

There is no PowerShell on the Linux CI machine, so install.ps1 cannot run there; this is
the check that it at least parses. Usage: python3 ps1_syntax.py FILE... (exit 1 on errors,
2 when the parser is not installed: pip install tree-sitter tree-sitter-powershell).
"""

import sys

try:
    import tree_sitter
    import tree_sitter_powershell
except ImportError as e:
    print(f"cannot import the parser ({e}): pip install tree-sitter tree-sitter-powershell")
    sys.exit(2)


def errors(source: bytes):
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    found = []
    stack = [parser.parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            line, col = node.start_point
            what = "missing " + node.type if node.is_missing else "cannot parse"
            text = source[node.start_byte : node.end_byte].decode(errors="replace")
            found.append((line + 1, col + 1, what, text.splitlines()[0][:60] if text else ""))
        stack.extend(node.children)
    return sorted(found)


status = 0
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        for line, col, what, text in errors(f.read()):
            print(f"{path}:{line}:{col}: {what}: {text!r}")
            status = 1
sys.exit(status)
