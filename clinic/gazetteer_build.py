"""Regenerates content/oc_gazetteer.csv: every Orange County ZIP code and place with a centroid.

ZIP centroids come from the `zipcodes` package (public USPS/Census-derived data, offline).
A city's centroid is the mean of its standard ZIP centroids; the alternative place names the
USPS accepts for OC ZIPs (Rossmoor, Coto de Caza, ...) get the mean of the ZIPs naming them.
A few well-known neighbourhoods that are no postal name are added with approximate centroids.
Run with `make gazetteer`; the assistant itself only reads the CSV.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path
from statistics import mean

OUTPUT = Path(__file__).resolve().parent.parent / "content" / "oc_gazetteer.csv"
# USPS abbreviations of names that are listed in full elsewhere.
ABBREVIATED = re.compile(r"\b(Rnch|Bch|Hgts|Cyn|Capo|Rmv|Rsm|Sta|Msn|Dl|Vly|Rcho|Ran)\b")
NOT_IN_ORANGE_COUNTY = {"La Habra Heights"}
NEIGHBOURHOODS: list[tuple[str, float, float]] = [
    ("Anaheim Hills", 33.8484, -117.7611),
    ("Turtle Rock", 33.6411, -117.8044),
    ("Woodbridge", 33.6757, -117.7945),
    ("Northwood", 33.7110, -117.7752),
    ("Tustin Ranch", 33.7400, -117.7900),
    ("Talega", 33.4670, -117.5960),
    ("Modjeska", 33.7110, -117.6420),
    ("Las Flores", 33.5880, -117.6270),
]


def title(name: str) -> str:
    return " ".join(word if word in {"de", "del"} else word.capitalize() for word in name.lower().split())


def build_rows() -> list[dict[str, str]]:
    import zipcodes

    orange = [z for z in zipcodes.filter_by(state="CA") if z.get("county") == "Orange County"]
    rows: list[dict[str, str]] = []
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    po_box_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for entry in sorted(orange, key=lambda z: z["zip_code"]):
        lat, lon = float(entry["lat"]), float(entry["long"])
        rows.append(
            {
                "kind": "zip",
                "name": entry["zip_code"],
                "city": title(entry["city"]),
                "latitude": f"{lat:.4f}",
                "longitude": f"{lon:.4f}",
                "source": "zipcodes (USPS/Census ZIP centroid)",
            }
        )
        names = {title(entry["city"])} | {
            title(alt) for alt in entry["acceptable_cities"] if not ABBREVIATED.search(alt)
        }
        target = points if entry["zip_code_type"] == "STANDARD" else po_box_points
        for name in names - NOT_IN_ORANGE_COUNTY:
            target[name].append((lat, lon))
    # A place served only by PO boxes still gets a centroid, from those.
    for name, coordinates in po_box_points.items():
        points.setdefault(name, coordinates)
    for name, coordinates in sorted(points.items()):
        rows.append(
            {
                "kind": "place",
                "name": name,
                "city": name,
                "latitude": f"{mean(c[0] for c in coordinates):.4f}",
                "longitude": f"{mean(c[1] for c in coordinates):.4f}",
                "source": "mean of the place's ZIP centroids",
            }
        )
    for name, lat, lon in NEIGHBOURHOODS:
        rows.append(
            {
                "kind": "place",
                "name": name,
                "city": name,
                "latitude": f"{lat:.4f}",
                "longitude": f"{lon:.4f}",
                "source": "approximate neighbourhood centre",
            }
        )
    return rows


def main() -> None:
    rows = build_rows()
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{OUTPUT}: {len(rows)} rows")


if __name__ == "__main__":
    main()
