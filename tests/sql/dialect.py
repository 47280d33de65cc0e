"""The dialect guard: SQL that runs on both DuckDB and Athena engine v3 (Trino).

sqlglot parses the text as Trino, which rejects DuckDB-only clauses such as QUALIFY. What
sqlglot accepts in any dialect (`::` casts, GROUP BY ALL, unknown functions, integer
division) is checked on the tokens and the syntax tree.
"""

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

COMMON_FUNCTIONS = {
    "avg", "cast", "coalesce", "count", "date_diff", "date_trunc", "first_value", "hour",
    "lag", "lead", "max", "min", "nullif", "row_number", "sum",
}
"""Functions both engines document with the same arguments and meaning."""


def function_names(sql: str) -> list[str]:
    """Names written as function calls: a plain word right before an opening parenthesis."""
    tokens = sqlglot.Dialect.get_or_raise("trino").tokenize(sql)
    return [
        word.text.lower()
        for word, following in zip(tokens, tokens[1:])
        if word.token_type == TokenType.VAR and following.token_type == TokenType.L_PAREN
    ]


def is_double(node: exp.Expression) -> bool:
    """True for a cast to DOUBLE or a decimal literal such as 1000.0."""
    if isinstance(node, exp.Cast):
        return node.to.this == exp.DataType.Type.DOUBLE
    return isinstance(node, exp.Literal) and not node.is_string and "." in node.this


def dialect_problems(sql: str) -> list[str]:
    """Why sql would not run unchanged on both engines (empty when it would)."""
    try:
        statements = sqlglot.parse(sql, read="trino")
    except sqlglot.errors.SqlglotError as error:
        return [f"not Trino: {error}"]
    problems = []
    tokens = sqlglot.Dialect.get_or_raise("trino").tokenize(sql)
    if any(token.token_type == TokenType.DCOLON for token in tokens):
        problems.append("`::` casts are DuckDB/PostgreSQL only: use CAST(x AS type)")
    for name in sorted(set(function_names(sql)) - COMMON_FUNCTIONS):
        problems.append(f"function {name}() is not in the common list")
    for statement in statements:
        for group in statement.find_all(exp.Group):
            if group.args.get("all"):
                problems.append("GROUP BY ALL is DuckDB only: name the columns")
        for division in statement.find_all(exp.Div):
            if not (is_double(division.this) or is_double(division.expression)):
                problems.append(
                    f"integer division in `{division.sql('trino')}`: cast a side to double"
                )
    return problems


def view_statement(sql: str) -> exp.Create:
    """The one CREATE OR REPLACE VIEW statement of a model file (ValueError otherwise)."""
    statements = [s for s in sqlglot.parse(sql, read="trino") if s is not None]
    if len(statements) != 1:
        raise ValueError(f"{len(statements)} statements, expected exactly one")
    create = statements[0]
    if not (isinstance(create, exp.Create) and create.kind == "VIEW" and create.args.get("replace")):
        raise ValueError("not a CREATE OR REPLACE VIEW statement")
    return create
