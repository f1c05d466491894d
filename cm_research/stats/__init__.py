"""Statistics for outcome comparisons (pingouin-style: tidy DataFrames in and out)."""
