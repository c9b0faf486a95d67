"""Evaluation metrics for image and video GANs (numpy / scipy / TF maths).

* :mod:`.distances` -- FID/FVD (Frechet distance), KID (unbiased MMD^2), Inception Score
* :mod:`.diversity` -- precision/recall, density/coverage, class metrics, sample diversity
* :mod:`.motion`    -- frozen/looping clips, optical flow, temporal SSIM/PSNR
* :mod:`.classifiers` -- the two offline digit classifiers shipped with the package
* :mod:`.pretrained`  -- Inception-v3 (FID, IS) and I3D (FVD), downloaded once, then cached
"""

from .classifiers import (
    frame_digit_probs,
    image_features,
    image_probs,
    load_digit_classifier,
    load_video_classifier,
    video_features,
    video_probs,
)
from .distances import (
    frechet_distance,
    frechet_distance_from_features,
    gaussian_stats,
    inception_score,
    kernel_distance,
    mmd2_unbiased,
    polynomial_kernel,
)
from .diversity import (
    class_coverage,
    class_histogram,
    conditional_accuracy,
    density_coverage,
    precision_recall,
    sample_diversity,
)
from .motion import (
    frame_difference_energy,
    frozen_clips,
    looping_clips,
    mean_frame_difference_energy,
    motion_summary,
    optical_flow_stats,
    temporal_psnr,
    temporal_ssim,
)
from .pretrained import i3d_features, inception_probs, inception_v3_features

__all__ = [
    "frechet_distance",
    "frechet_distance_from_features",
    "gaussian_stats",
    "inception_score",
    "kernel_distance",
    "mmd2_unbiased",
    "polynomial_kernel",
    "class_coverage",
    "class_histogram",
    "conditional_accuracy",
    "density_coverage",
    "precision_recall",
    "sample_diversity",
    "frame_difference_energy",
    "frozen_clips",
    "looping_clips",
    "mean_frame_difference_energy",
    "motion_summary",
    "optical_flow_stats",
    "temporal_psnr",
    "temporal_ssim",
    "frame_digit_probs",
    "image_features",
    "image_probs",
    "load_digit_classifier",
    "load_video_classifier",
    "video_features",
    "video_probs",
    "i3d_features",
    "inception_probs",
    "inception_v3_features",
]
