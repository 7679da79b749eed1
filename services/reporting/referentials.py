"""The French labels of the CPOM codes a Word document prints (indicator type, category, déclinaison), as the
cpom service serves them at /referentiels: the service that owns the lists owns their labels too."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CpomLabels:
    types: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    declinaisons: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, referentials: dict) -> "CpomLabels":
        """From cpom's GET /referentiels answer."""
        def labels(key: str) -> dict[str, str]:
            return {item["code"]: item["libelle"] for item in referentials.get(key, [])}
        return cls(labels("types_indicateur"), labels("categories"), labels("declinaisons"))

    def type(self, code: str) -> str:
        return self.types.get(code, code)

    def category(self, code: str) -> str:
        return self.categories.get(code, code)

    def declinaison(self, code: str) -> str:
        return self.declinaisons.get(code, code)
