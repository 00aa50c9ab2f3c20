"""Datasets in memory: MNIST, Fashion-MNIST, CIFAR-10, their file formats, splits and label subsets."""
