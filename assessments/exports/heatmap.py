"""Heat maps of an export document: how many scenarios sit in each cell of the risk matrix, as SVG geometry."""

from dataclasses import dataclass

from assessments.exports.labels import level_colours

CELL = 34  # px; the SVG scales with the page
LABEL = 18


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    count: int
    colour: str
    text_colour: str
    level: str
    likelihood: int
    severity: int

    @property
    def text_x(self) -> int:
        return self.x + CELL // 2

    @property
    def text_y(self) -> int:
        return self.y + CELL // 2 + 5


@dataclass(frozen=True)
class HeatMap:
    stage: str  # inherent or residual
    title: str
    cells: list[Cell]
    width: int
    height: int
    rated: int
    unrated: int
    likelihood_labels: list[tuple[int, int]]  # (x, value)
    severity_labels: list[tuple[int, int]]  # (y, value)


def heat_map(document: dict, stage: str) -> HeatMap:
    matrix = document["matrix"]
    n_likelihood, n_severity = len(matrix["likelihood"]), len(matrix["severity"])
    counts: dict[tuple[int, int], int] = {}
    unrated = 0
    for scenario in document["scenarios"]:
        rating = scenario[stage]
        if rating["likelihood"] is None or rating["severity"] is None:
            unrated += 1
            continue
        key = (rating["likelihood"], rating["severity"])
        counts[key] = counts.get(key, 0) + 1
    levels = {level["key"]: level for level in level_colours(matrix)}
    cells = []
    for severity in range(1, n_severity + 1):
        for likelihood in range(1, n_likelihood + 1):
            level = levels[matrix["grid"][severity - 1][likelihood - 1]]
            cells.append(
                Cell(
                    x=LABEL + (likelihood - 1) * CELL,
                    y=(n_severity - severity) * CELL,  # most severe row on top
                    count=counts.get((likelihood, severity), 0),
                    colour=level["colour"],
                    text_colour=level["text_colour"],
                    level=level["name"],
                    likelihood=likelihood,
                    severity=severity,
                )
            )
    return HeatMap(
        stage=stage,
        title=f"{stage.capitalize()} risk",
        cells=cells,
        width=LABEL + n_likelihood * CELL,
        height=n_severity * CELL + LABEL,
        rated=len(document["scenarios"]) - unrated,
        unrated=unrated,
        likelihood_labels=[(LABEL + (v - 1) * CELL + CELL // 2, v) for v in range(1, n_likelihood + 1)],
        severity_labels=[((n_severity - v) * CELL + CELL // 2 + 4, v) for v in range(1, n_severity + 1)],
    )
