"""``python -m egovstudy.datasets``: regenerate data/raw/default_study (deterministic)."""

from egovstudy.datasets.default_study import load_truth, write_default_study

if __name__ == "__main__":
    try:
        population = load_truth().get("population_score_level")
    except FileNotFoundError:
        population = None
    print(write_default_study(population=population))
