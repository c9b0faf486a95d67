# %% [markdown]
# # 12 · Evaluating generative video
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/12_evaluating_video.ipynb)
#
# A GAN has no test loss. To compare two generators, or two checkpoints of one, we compare *sets* of
# samples with *sets* of real data. This notebook builds every standard number by hand with NumPy, checks
# it against `tfvidgan.metrics`, and then stress-tests the most used video metric, FVD, with clips we
# damage on purpose.
#
# **What you'll learn**
#
# - the Fréchet distance behind **FID** and **FVD**, by hand (mean, covariance, matrix square root), and
#   why it is biased for small sample sizes;
# - **KID**: an unbiased kernel distance (MMD² with a cubic polynomial kernel), by hand;
# - the **Inception Score** formula on class probabilities, and what it misses;
# - **precision / recall** (realism vs coverage) and mode dropping, and the per-class accuracy of a
#   conditional generator;
# - **motion metrics**: frame-difference energy, frozen and looping clips, optical flow, temporal SSIM (by hand);
# - an experiment showing why **FVD can prefer good frames over good motion**, and how the motion
#   diagnostics catch what it misses;
# - the standard protocol (Inception-v3 for FID, I3D for FVD) and what the package does offline;
# - `tfvidgan.evaluate.evaluate_run`: the whole evaluation of a run folder in one call.
#
# **Prerequisites:** notebook 11 and the video GAN notebooks before it; notebook 02 for GAN basics.
#
# **CPU time:** about 1 min (normal mode), under a minute in smoke mode.

# %%
# Colab: install tfvidgan next to Colab's own TensorFlow (its version floors admit Colab's, so pip keeps it).
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/tfvidgan/tfvidgan"],
        check=True,
    )

# %%
import shutil
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from numpy.lib.stride_tricks import sliding_window_view
from scipy import linalg, ndimage

import tfvidgan
import tfvidgan.train
from tfvidgan import course, data, evaluate, runtime, video_io
from tfvidgan.config import get_config
from tfvidgan.course import nb12, pick
from tfvidgan.metrics import classifiers, distances, diversity, motion, pretrained

print("tfvidgan", tfvidgan.__version__, "| smoke mode:", course.SMOKE)
runtime.set_seed(0)
# Some of the digit classifier's 64 ReLU features are 0 for every digit, so feature covariances are singular;
# the library notices and regularises (section 2). SciPy warns each time; we silence that one warning.
warnings.filterwarnings("ignore", category=linalg.LinAlgWarning)
OUT = Path("runs/nb12")
OUT.mkdir(parents=True, exist_ok=True)

N = pick(normal=2048, smoke=96)  # clips (and images) per set: 2048 is the FVD protocol's number
T = 16  # frames per clip
rng = np.random.default_rng(0)


def show_table(header, rows, digits=3):
    """Show a list of rows as a Markdown table (floats rounded to `digits` significant digits)."""
    fmt = lambda v: f"{v:.{digits}g}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    display(Markdown("\n".join(lines)))


# %% [markdown]
# ## 1. Two sets of real clips
#
# `moving_digits` clips are `(N, T, H, W, 1)`: one digit bouncing around a 32x32 frame for 16 frames.
# We render two *independent* real sets (different seeds). Any metric comparing them measures only
# sampling noise: it is the score a perfect generator would get with this many samples. Always report it
# next to your model's score.

# %%
real, real_labels = data.load_arrays("moving_digits", N, image_size=32, num_frames=T, seed=1)
other, _ = data.load_arrays("moving_digits", N, image_size=32, num_frames=T, seed=2)
real, other = data.to_float(real), data.to_float(other)  # uint8 -> float32 in [-1, 1]
print("real:", real.shape, real.dtype, "| labels [digit, motion]:", real_labels.shape)
plt.figure(figsize=(12, 3))
plt.imshow(video_io.video_frames_grid(real[:4])[..., 0], cmap="gray")
plt.axis("off")
plt.title("four real clips, time from left to right")
plt.show()
video_io.display_video(video_io.video_grid(real[:16]), width=256)

# %% [markdown]
# ## 2. The Fréchet distance (FID, FVD) by hand
#
# Heusel et al. 2017 (https://arxiv.org/abs/1706.08500) turn each sample into a feature vector with a
# pretrained network, fit one Gaussian to the real features and one to the generated ones, and report
# the Fréchet (2-Wasserstein) distance between the two Gaussians:
#
# $$d^2 = \lVert \mu_1 - \mu_2 \rVert^2 + \operatorname{Tr}\big(\Sigma_1 + \Sigma_2 - 2\,(\Sigma_1 \Sigma_2)^{1/2}\big).$$
#
# With Inception-v3 features of images it is **FID**; with I3D features of clips it is **FVD**
# (Unterthiner et al. 2018, https://arxiv.org/abs/1812.01717). Offline we use the two small classifiers
# that ship with the package: `DigitClassifier` (64-D features of a 32x32 digit) and
# `VideoDigitClassifier` (64-D features of a whole clip). Their numbers are only comparable with each other,
# not with published FIDs.
#
# The only hard part is the matrix square root. $\Sigma_1\Sigma_2$ is not symmetric, but it has the same
# eigenvalues as the symmetric positive semi-definite matrix $\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2}$, so
# $\operatorname{Tr}(\Sigma_1\Sigma_2)^{1/2} = \sum_i \sqrt{\lambda_i}$ needs only two symmetric eigen-decompositions.
# That route is stable even when the covariances are singular; `scipy.linalg.sqrtm` is the other route.


# %%
def gaussian_fit_by_hand(features):
    """Mean (D,) and unbiased covariance (D, D) of features (N, D), in float64."""
    features = np.asarray(features, dtype=np.float64)
    mu = features.mean(axis=0)
    centred = features - mu
    return mu, centred.T @ centred / (len(features) - 1)


def frechet_by_hand(mu1, sigma1, mu2, sigma2):
    """d^2 between N(mu1, sigma1) and N(mu2, sigma2), with Tr sqrt(sigma1 sigma2) from eigenvalues."""
    w, u = np.linalg.eigh(sigma1)
    root1 = (u * np.sqrt(np.clip(w, 0, None))) @ u.T  # sigma1^(1/2), symmetric
    eigenvalues = np.linalg.eigvalsh(root1 @ sigma2 @ root1)
    tr_sqrt = np.sqrt(np.clip(eigenvalues, 0, None)).sum()
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_sqrt)


# Frames of the real clips as a set of images: one random frame per clip.
frames_real = real[np.arange(N), rng.integers(T, size=N)]
frames_other = other[np.arange(N), rng.integers(T, size=N)]
f_real, f_other = classifiers.image_features(frames_real), classifiers.image_features(frames_other)
print(
    "image features:",
    f_real.shape,
    "| features that are 0 for every image:",
    int(np.sum(f_real.max(0) == 0)),
)

mu1, s1 = gaussian_fit_by_hand(f_real)
mu2, s2 = gaussian_fit_by_hand(f_other)
lib_mu, lib_sigma = distances.gaussian_stats(f_real)
np.testing.assert_allclose(mu1, lib_mu, rtol=1e-6)
np.testing.assert_allclose(s1, lib_sigma, rtol=1e-6, atol=1e-9)

fid_hand = frechet_by_hand(mu1, s1, mu2, s2)
fid_scipy = float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * linalg.sqrtm(s1 @ s2).real))
fid_lib = distances.frechet_distance_from_features(f_real, f_other)
print(
    f"digit-FID real vs real: by hand {fid_hand:.5f} | scipy sqrtm {fid_scipy:.5f} | library {fid_lib:.5f}"
)
np.testing.assert_allclose(fid_hand, fid_lib, rtol=1e-3, atol=1e-4)
np.testing.assert_allclose(fid_scipy, fid_lib, rtol=1e-3, atol=1e-4)

# %% [markdown]
# The same function gives FVD, only the features change: one 64-D vector per *clip*.

# %%
v_real, v_other = classifiers.video_features(real), classifiers.video_features(other)
fvd_hand = frechet_by_hand(*gaussian_fit_by_hand(v_real), *gaussian_fit_by_hand(v_other))
fvd_lib = distances.frechet_distance_from_features(v_real, v_other)
print(
    f"clip features {v_real.shape}; FVD real vs real: by hand {fvd_hand:.4f} | library {fvd_lib:.4f}"
)
np.testing.assert_allclose(fvd_hand, fvd_lib, rtol=1e-3, atol=1e-4)
print(distances.frechet_distance.__doc__)  # the library's notes on numerics

# %% [markdown]
# ### FID and FVD are biased: the sample size matters
#
# Two real sets never score 0: with finitely many samples the fitted means and covariances are noisy,
# and the noise *adds* to the distance. The bias shrinks roughly like 1/N, which is why papers fix N
# (FID: 10 000 or 50 000 images; FVD: 2048 clips) and why numbers computed with different N cannot be
# compared. Here is real-vs-real digit-FID for growing N:

# %%
sizes = pick(normal=[50, 100, 200, 500, 1000, 2048], smoke=[40, 80])
digits_a, _ = data.load_arrays("digits", max(sizes + [N]), seed=11)
digits_b, _ = data.load_arrays("digits", max(sizes + [N]), seed=12)
feat_a, feat_b = classifiers.image_features(digits_a), classifiers.image_features(digits_b)
bias = [distances.frechet_distance_from_features(feat_a[:n], feat_b[:n]) for n in sizes]
plt.figure(figsize=(5, 3))
plt.loglog(sizes, bias, "o-")
plt.xlabel("N (samples per set)")
plt.ylabel("digit-FID, real vs real")
plt.title("a perfect generator does not score 0")
plt.grid(alpha=0.3)
plt.show()
show_table(["N"] + [str(n) for n in sizes], [["FID real vs real"] + bias])

# %% [markdown]
# ## 3. KID: an unbiased alternative, by hand
#
# Bińkowski et al. 2018 (https://arxiv.org/abs/1801.01401) compare the two feature sets with the squared
# **maximum mean discrepancy** under the kernel $k(x, y) = (x \cdot y / D + 1)^3$. With $m$ real and
# $n$ generated samples, the unbiased estimate leaves out the $i = j$ terms:
#
# $$\widehat{\mathrm{MMD}}^2 = \frac{1}{m(m-1)}\sum_{i\neq j} k(x_i, x_j) + \frac{1}{n(n-1)}\sum_{i\neq j} k(y_i, y_j) - \frac{2}{mn}\sum_{i,j} k(x_i, y_j).$$
#
# Because it is unbiased, two sets from one distribution give about 0 (sometimes a little below) at
# any N. `kernel_distance` averages it over random subsets and also returns the spread: the standard
# deviation of the subset estimates. (TF-GAN's `kernel_classifier_distance_and_std` reports an estimate of
# the standard error of its estimator instead, of the order of `std / sqrt(num_subsets)`: a much smaller
# number, so never compare the two spreads directly.)


# %%
def poly_kernel_by_hand(x, y):
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_by_hand(x, y):
    kxx, kyy, kxy = poly_kernel_by_hand(x, x), poly_kernel_by_hand(y, y), poly_kernel_by_hand(x, y)
    m, n = len(x), len(y)
    return float(
        (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
        + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
        - 2 * kxy.mean()
    )


x, y = v_real.astype(np.float64), v_other.astype(np.float64)
np.testing.assert_allclose(poly_kernel_by_hand(x, y), distances.polynomial_kernel(x, y), rtol=1e-10)
kid_hand = mmd2_by_hand(x, y)
kid_lib = distances.mmd2_unbiased(
    distances.polynomial_kernel(x, x),
    distances.polynomial_kernel(y, y),
    distances.polynomial_kernel(x, y),
)
# One "subset" of the full size is the whole set (in another order: MMD does not care).
kid_one, _ = distances.kernel_distance(x, y, num_subsets=1, subset_size=N)
np.testing.assert_allclose([kid_lib, kid_one], kid_hand, rtol=1e-6, atol=1e-6)
kvd, kvd_std = distances.kernel_distance(v_real, v_other, subset_size=N // 2)
print(
    f"KVD real vs real: by hand {kid_hand:.4f} | library {kid_lib:.4f} | 10 half-size subsets {kvd:.3f} +- {kvd_std:.3f}"
)

# %% [markdown]
# ## 4. The Inception Score formula
#
# Salimans et al. 2016 (https://arxiv.org/abs/1606.03498) score samples with a classifier only, no real
# data: good samples get *confident* predictions $p(y|x)$, and a diverse set spreads them over all
# classes, so the marginal $p(y)$ is flat. $\mathrm{IS} = \exp\big(\mathbb{E}_x\,\mathrm{KL}(p(y|x)\,\Vert\,p(y))\big)$
# ranges from 1 to the number of classes. With the digit classifier in place of Inception-v3 we get a
# "digit score" between 1 and 10.


# %%
def inception_score_by_hand(probs):
    p_y = probs.mean(axis=0, keepdims=True)
    kl = np.sum(probs * (np.log(probs + 1e-12) - np.log(p_y + 1e-12)), axis=1)
    return float(np.exp(kl.mean()))


digit_probs = classifiers.image_probs(digits_a[:N])
digit_labels = digit_probs.argmax(1)
threes = digits_a[:N][digit_labels == 3]
blurred = ndimage.gaussian_filter(data.to_float(digits_a[:N]), sigma=(0, 1.5, 1.5, 0))
overlaid = np.maximum(
    digits_a[:N], np.roll(digits_b[:N], 1, axis=0)
)  # two digits on top of each other
rows = []
for name, images in [
    ("real digits", digits_a[:N]),
    ("only 3s (collapsed)", threes),
    ("blurred digits", blurred),
    ("two digits overlaid", overlaid),
]:
    probs = classifiers.image_probs(images)
    by_hand = inception_score_by_hand(probs)
    lib, _ = distances.inception_score(probs, num_splits=1)
    np.testing.assert_allclose(by_hand, lib, rtol=1e-5)
    rows.append([name, len(images), by_hand, float(probs.max(1).mean())])
show_table(["samples", "N", "digit score (IS formula)", "mean max p(y|x)"], rows)

# %% [markdown]
# IS sees a collapsed generator (score near 1) and ambiguous samples (two overlaid digits: low confidence).
# Blur hardly moves it, because *this* classifier was trained to read blurred digits: a score is only as
# picky as its network. And IS never looks at real data: a generator that draws one perfect image per
# class scores the maximum 10. Use it next to a distance to the real data, never alone.
#
# The paper computes IS on 50 000 samples in 10 splits and reports the mean and spread over the splits.
# Cut a small set into too many splits and the number means nothing: a split of a single sample scores
# exactly 1.0, whatever the generator, because its $p(y)$ is its own $p(y|x)$. `inception_score` refuses
# that, and warns when a split holds fewer than 50 samples (the score drifts towards 1):

# %%
try:
    distances.inception_score(digit_probs[:10], num_splits=10)
    raise AssertionError("10 samples in 10 splits must be refused")
except ValueError as err:
    print("refused:", err)

# %% [markdown]
# ## 5. Precision and recall: realism vs coverage
#
# A single FID mixes two failures: bad samples and missing modes. Kynkäänniemi et al. 2019
# (https://arxiv.org/abs/1904.06991) separate them. Put a ball around every real feature, with the
# distance to its k-th nearest real neighbour as radius; **precision** is the fraction of generated samples
# inside the real balls (realism). Do the same with balls around the generated samples; **recall** is the
# fraction of real samples inside them (coverage). Naeem et al. 2020 (https://arxiv.org/abs/2002.09797)
# propose the more outlier-robust density / coverage.
#
# Two fake "generators" made from real digits:
#
# - **mode dropping**: perfect digits, but only the classes 0-4;
# - **half garbage**: every class, but half of the samples drowned in noise.

# %%
pool, pool_labels = data.load_arrays("digits", 2 * N, seed=13)
dropped = pool[pool_labels < 5][:N]  # half the classes are never generated
half = N // 2
half_garbage = np.concatenate(
    [
        data.to_float(digits_b[:half]),
        np.clip(
            data.to_float(digits_b[half:N]) + rng.normal(0, 0.5, digits_b[half:N].shape), -1, 1
        ),
    ]
)
f_ref = classifiers.image_features(digits_a[:N])
rows = []
for name, images in [
    ("real (other seed)", digits_b[:N]),
    ("mode dropping: digits 0-4 only", dropped),
    ("half garbage", half_garbage.astype(np.float32)),
]:
    f = classifiers.image_features(images)
    pr = diversity.precision_recall(f_ref, f, k=3)
    dc = diversity.density_coverage(f_ref, f, k=5)
    fid = distances.frechet_distance_from_features(f_ref, f)
    coverage = diversity.class_coverage(classifiers.image_probs(images).argmax(1), 10)
    rows.append([name, fid, pr["precision"], pr["recall"], dc["density"], dc["coverage"], coverage])
show_table(
    ["samples", "digit-FID", "precision", "recall", "density", "coverage", "class coverage"], rows
)

# %% [markdown]
# Dropping half the classes leaves **precision** where it was (every sample is a perfect digit) while
# **recall** and **coverage** fall to about one half. Half garbage does the opposite: precision halves,
# recall stays high (the good half still covers every class). FID rises in both cases and cannot tell you
# which one happened.
#
# ### Per-class accuracy of a conditional generator
#
# A class-conditional generator (notebook 03's cGAN) is asked for a digit; a classifier checks that it
# delivered it. `conditional_accuracy` reports the overall and the per-class rate. We hand-make a flawed
# "generator": it draws the requested digit, except that a request for 7 gives a 1, and half of the
# requests for 9 give a 4.

# %%
requested = np.arange(N) % 10
delivered = requested.copy()
delivered[requested == 7] = 1
nines = np.flatnonzero(requested == 9)
delivered[nines[: len(nines) // 2]] = 4
by_class = {c: pool[pool_labels == c] for c in range(10)}
samples = np.stack([by_class[c][i % len(by_class[c])] for i, c in enumerate(delivered)])
predicted = classifiers.image_probs(samples).argmax(1)

result = diversity.conditional_accuracy(predicted, requested, num_classes=10)
per_class_by_hand = [float(np.mean(predicted[requested == c] == c)) for c in range(10)]
np.testing.assert_allclose(result["per_class"], per_class_by_hand)
print(f"overall conditional accuracy {result['accuracy']:.3f}")
plt.figure(figsize=(6, 2.6))
plt.bar(range(10), result["per_class"])
plt.xticks(range(10))
plt.xlabel("requested digit")
plt.ylabel("classified as requested")
plt.ylim(0, 1.05)
plt.show()

# %% [markdown]
# ## 6. Motion metrics
#
# Image metrics cannot tell a video from a slide show. These cheap pixel-level checks look at time directly
# (videos in [-1, 1]):
#
# - **frame-difference energy** $\frac{1}{T-1}\sum_t \operatorname{mean}_\text{pixels}(x_{t+1} - x_t)^2$ per clip: 0 for a still image;
# - **frozen clips**: energy below a threshold (1e-3 by default, about 4 grey levels of RMS change);
# - **looping clips**: the last frame returns to the first after moving away;
# - **optical flow** (Farnebäck 2003, OpenCV): how many pixels per frame things move;
# - **temporal SSIM** (Wang et al. 2004): the structural similarity of consecutive frames, 1 for a still clip.
#
# Frame-difference energy by hand:

# %%
energy_by_hand = np.mean((real[:, 1:] - real[:, :-1]) ** 2, axis=(1, 2, 3, 4))
np.testing.assert_allclose(energy_by_hand, motion.frame_difference_energy(real), rtol=1e-5)
frozen = np.repeat(real[:, :1], T, axis=1)  # the first frame, T times
print(
    f"mean energy: real {energy_by_hand.mean():.4f} | frozen {motion.mean_frame_difference_energy(frozen):.4f}"
)
print(
    "frozen clips flagged:",
    motion.frozen_clips(real).mean(),
    "of real,",
    motion.frozen_clips(frozen).mean(),
    "of frozen",
)

# %% [markdown]
# SSIM compares two images window by window. For every 11x11 Gaussian-weighted window (σ = 1.5) it
# computes local means $\mu$, variances $\sigma^2$ and the covariance $\sigma_{ab}$, and
#
# $$\mathrm{SSIM} = \frac{(2\mu_a\mu_b + c_1)(2\sigma_{ab} + c_2)}{(\mu_a^2 + \mu_b^2 + c_1)(\sigma_a^2 + \sigma_b^2 + c_2)},\quad c_1 = (0.01\,L)^2,\ c_2 = (0.03\,L)^2,$$
#
# averaged over all windows that fit in the frame; $L = 2$ is the range of [-1, 1]. Temporal SSIM averages
# it over all pairs of consecutive frames. With `sliding_window_view` it is a few lines of NumPy:


# %%
def gaussian_window(size=11, sigma=1.5):
    c = np.arange(size) - (size - 1) / 2
    g = np.exp(-(c**2) / (2 * sigma**2))
    w = np.outer(g, g)
    return w / w.sum()


def local_mean(images, window):
    """Weighted mean over every window position that fits ('valid'): (M, H, W, C) -> (M, H-10, W-10, C)."""
    patches = sliding_window_view(images, window.shape, axis=(1, 2))  # (M, H', W', C, 11, 11)
    return np.einsum("mhwcij,ij->mhwc", patches, window)


def ssim_by_hand(a, b, max_val=2.0):
    w = gaussian_window()
    c1, c2 = (0.01 * max_val) ** 2, (0.03 * max_val) ** 2
    mu_a, mu_b = local_mean(a, w), local_mean(b, w)
    var_a = local_mean(a * a, w) - mu_a**2
    var_b = local_mean(b * b, w) - mu_b**2
    cov = local_mean(a * b, w) - mu_a * mu_b
    ssim_map = (
        (2 * mu_a * mu_b + c1) * (2 * cov + c2) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    )
    return ssim_map.mean(axis=(1, 2, 3))  # one value per image pair


clips = real[:8].astype(np.float64)
pairs_a = clips[:, :-1].reshape(-1, 32, 32, 1)
pairs_b = clips[:, 1:].reshape(-1, 32, 32, 1)
tssim_hand = float(ssim_by_hand(pairs_a, pairs_b).mean())
tssim_lib = motion.temporal_ssim(real[:8])
print(f"temporal SSIM: by hand {tssim_hand:.5f} | library (tf.image.ssim) {tssim_lib:.5f}")
np.testing.assert_allclose(tssim_hand, tssim_lib, rtol=1e-4)

# %% [markdown]
# Optical flow gives a vector per pixel: where did this pixel go in the next frame? Below, the flow
# between two frames of a real clip (arrows on the digit), and its statistics for real and frozen clips.

# %%
import cv2  # noqa: E402 - OpenCV is a tfvidgan dependency

gray = motion.to_gray_uint8(real[0])  # (T, 32, 32) uint8
flow = cv2.calcOpticalFlowFarneback(
    gray[3], gray[4], None, 0.5, 3, 15, 3, 5, 1.2, 0
)  # (32, 32, 2): dx, dy
fig, axes = plt.subplots(1, 3, figsize=(9, 3))
for ax, img, title in zip(axes, (gray[3], gray[4]), ("frame 3", "frame 4")):
    ax.imshow(img, cmap="gray")
    ax.set_title(title)
axes[2].imshow(gray[3], cmap="gray")
yy, xx = np.mgrid[0:32:2, 0:32:2]
moving = (
    np.hypot(flow[::2, ::2, 0], flow[::2, ::2, 1]) > 0.3
)  # draw arrows only where something moves
axes[2].quiver(
    xx[moving],
    yy[moving],
    flow[::2, ::2, 0][moving],
    -flow[::2, ::2, 1][moving],
    color="tab:red",
    angles="xy",
    scale_units="xy",
    scale=0.5,
)
axes[2].set_title("flow 3 -> 4")
for ax in axes:
    ax.axis("off")
plt.show()
print("real  :", {k: round(v, 3) for k, v in motion.optical_flow_stats(real[:64]).items()})
print("frozen:", {k: round(v, 3) for k, v in motion.optical_flow_stats(frozen[:64]).items()})

# %% [markdown]
# ## 7. Stress test: what does FVD reward?
#
# FVD is *the* number video GAN papers report. But a Fréchet distance only sees what its feature network
# encodes, and networks trained to classify tend to rely on what single frames show. Ge et al. 2024 ("On
# the Content Bias in Fréchet Video Distance", https://arxiv.org/abs/2404.12391) found that I3D-based FVD
# barely reacts to broken motion but strongly to damaged frames. We can run the same experiment offline
# with two feature extractors at the two ends of that scale:
#
# - **appearance-only FVD**: digit-classifier features of single frames, averaged over time (any image
#   network applied frame by frame gives this; time order cannot matter);
# - **FVD** with the video classifier: a 3-D CNN trained on whole clips to recognise the digit *and* its
#   motion class.
#
# We take the second real set and damage it in two ways:
#
# - **frame damage, perfect motion**: Gaussian noise (σ = 0.2 and 0.3) or a slight blur on every frame;
# - **perfect frames, broken motion**: *frozen* (frame 0 repeated), *shuffled* (frames in random order),
#   *jittery* (frames shuffled inside each group of 4: the digit jerks back and forth), and *ping-pong*
#   (8 frames forward, then the same 8 backwards: a loop).


# %%
def add_noise(videos, sigma):
    return np.clip(videos + rng.normal(0, sigma, videos.shape), -1, 1).astype(np.float32)


variants = {
    "real (other seed)": other,
    "noise σ=0.2": add_noise(other, 0.2),
    "noise σ=0.3": add_noise(other, 0.3),
    "blur σ=0.7": ndimage.gaussian_filter(other, sigma=(0, 0, 0.7, 0.7, 0)),
    "frozen": np.repeat(other[:, :1], T, axis=1),
    "shuffled": np.stack([clip[rng.permutation(T)] for clip in other]),
    "jittery": np.stack(
        [
            clip[np.concatenate([4 * g + rng.permutation(4) for g in range(T // 4)])]
            for clip in other
        ]
    ),
    "ping-pong": other[:, np.r_[0:8, 7:-1:-1]],
}
damaged_frames = ["noise σ=0.2", "noise σ=0.3", "blur σ=0.7"]
broken_motion = ["frozen", "shuffled", "jittery", "ping-pong"]
plt.figure(figsize=(12, 7))
plt.imshow(
    video_io.video_frames_grid(np.stack([v[0] for v in variants.values()]))[..., 0], cmap="gray"
)
plt.yticks(np.arange(len(variants)) * 33 + 16, list(variants))
plt.xticks([])
plt.title("clip 0 of each variant, time from left to right")
plt.show()
video_io.display_video(
    video_io.video_grid(np.stack([v[0] for v in variants.values()]), ncols=4), width=512
)

# %% [markdown]
# For each set: the per-frame FID (4 frames per clip), the two FVDs, and the motion diagnostics. Optical
# flow is the slow one, so it runs on 128 clips.

# %%
frame_idx = np.arange(0, T, 4)  # 4 frames per clip


def frame_features(videos):
    """Digit-classifier features of 4 frames per clip: (N, 4, 64)."""
    return classifiers.image_features(videos[:, frame_idx].reshape(-1, 32, 32, 1)).reshape(
        len(videos), len(frame_idx), -1
    )


ff_real = frame_features(real)
scores = {}
for name, videos in variants.items():
    ff = frame_features(videos)
    summary = motion.motion_summary(videos[:128])
    scores[name] = {
        "frame FID": distances.frechet_distance_from_features(
            ff_real.reshape(-1, 64), ff.reshape(-1, 64)
        ),
        "appearance-only FVD": distances.frechet_distance_from_features(
            ff_real.mean(1), ff.mean(1)
        ),
        "FVD": distances.frechet_distance_from_features(v_real, classifiers.video_features(videos)),
        "frame-diff energy": motion.mean_frame_difference_energy(videos),
        "frozen": float(motion.frozen_clips(videos).mean()),
        "looping": float(motion.looping_clips(videos).mean()),
        "temporal SSIM": summary["temporal_ssim"],
        "flow (px/frame)": summary["flow_mean_magnitude"],
    }
columns = list(scores["real (other seed)"])
show_table(["clips"] + columns, [[name] + [s[c] for c in columns] for name, s in scores.items()])

# %%
names = list(scores)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.4), sharey=True)
colours = ["tab:green"] + ["tab:blue"] * len(damaged_frames) + ["tab:red"] * len(broken_motion)
for ax, metric in zip(axes, ["appearance-only FVD", "FVD"]):
    ax.barh(names[::-1], [max(scores[n][metric], 1e-3) for n in names][::-1], color=colours[::-1])
    ax.set_xscale("log")
    ax.set_title(metric + " (log scale)", fontsize=10)
fig.suptitle(
    "green: real | blue: damaged frames, perfect motion | red: perfect frames, broken motion",
    fontsize=9,
    y=1.03,
)
plt.show()
for metric in ("frame FID", "appearance-only FVD", "FVD"):
    preferred = [
        (b, d)
        for b in broken_motion
        for d in damaged_frames
        if scores[b][metric] < scores[d][metric]
    ]
    examples = ", ".join(f"{b} < {d}" for b, d in preferred[:3]) + (
        " ..." if len(preferred) > 3 else ""
    )
    print(
        f"{metric:20s} ranks broken motion better than damaged frames in {len(preferred):2d} of "
        f"{len(broken_motion) * len(damaged_frames)} pairs {('(' + examples + ')') if preferred else ''}"
    )
if not course.SMOKE:  # what holds by construction, whatever the extractors' weights
    assert all(
        scores[b]["appearance-only FVD"] < scores[d]["appearance-only FVD"]
        for b in broken_motion
        for d in damaged_frames
    )
    assert scores["frozen"]["frozen"] == 1.0 and scores["ping-pong"]["looping"] > 0.9

# %% [markdown]
# What the table says:
#
# - **Image features are blind to time.** Per-frame FID and the appearance-only FVD give every
#   broken-motion set (frozen, shuffled, jittery, ping-pong) about the score of real data, and rank each
#   of them better than *every* set with correct motion and damaged frames. A video metric built on image
#   features rewards perfect frames, whatever the motion. I3D sits between the two ends; Ge et al. show
#   it leans towards this one.
# - **A video network sees as much motion as it was taught.** Our video classifier was trained
#   (`benchmarks/train_evaluators.py`) with blur and pixel-noise augmentation and with frozen clips as
#   "no motion" examples, so by design it tolerates noise and blur and notices frozen clips. Reversing time
#   keeps the motion class in its training, so a ping-pong loop, each half a valid bounce, can pass as
#   real motion. The count printed above tells how often this FVD still prefers broken motion.
# - **The motion diagnostics catch each temporal failure**: frozen clips have zero energy and flow and a
#   temporal SSIM of 1; shuffled and jittery clips have too *much* frame-difference energy and too low a
#   temporal SSIM (the frames do not follow from each other); ping-pong clips are all flagged as looping.
#   Compare each number with the real-vs-real row, not with an absolute scale.
#
# So report FVD *and* motion statistics, each next to its real-vs-real baseline, say which network made
# the features, and look at the clips.
#
# ## 8. The standard protocol, and the offline path
#
# Published numbers use fixed networks and pre-processing; only numbers made the same way are comparable.
#
# | | FID (Heusel et al. 2017) | FVD (Unterthiner et al. 2018) |
# |---|---|---|
# | network | Inception-v3, ImageNet | I3D (Carreira & Zisserman 2017, https://arxiv.org/abs/1705.07750), Kinetics-400 |
# | input | 299x299 RGB, bilinear resize | 16 frames of 224x224 RGB |
# | features | 2048-D pool3 (global average pool) | 400-D logits |
# | sample size | ≥ 10 000 (often 50 000); never below 2048, where the 2048x2048 covariance becomes singular | 2048 clips per set |
#
# `tfvidgan.metrics.pretrained` implements both (`inception_v3_features`, `i3d_features`); their weights
# are downloaded on first use and cached. Without network they fail *fast*, with a message that says where
# to put the files: each network step has a `timeout` (30 s by default; we pass a small one). The input
# pipeline itself runs offline:

# %%
import os

print(
    f"Inception input {pretrained.INCEPTION_SIZE}x{pretrained.INCEPTION_SIZE}; "
    f"I3D input {pretrained.I3D_FRAMES} frames of {pretrained.I3D_SIZE}x{pretrained.I3D_SIZE}"
)
print("i3d_preprocess:", real[:2].shape, "->", pretrained.i3d_preprocess(real[:2]).shape)
print(
    "inception_preprocess:",
    real[:2, 0].shape,
    "->",
    pretrained.inception_preprocess(real[:2, 0]).shape,
)
if course.SMOKE:  # CI never touches the network: point both downloads at a closed local port
    os.environ["TFVIDGAN_I3D_URL"] = "http://127.0.0.1:9/i3d.tar.gz"
    os.environ["TFVIDGAN_INCEPTION_URL"] = "http://127.0.0.1:9/inception.h5"
for name, fn, batch in [
    ("i3d_features", pretrained.i3d_features, real[:4]),
    ("inception_v3_features", pretrained.inception_v3_features, real[:4, 0]),
]:
    try:
        features = fn(batch, timeout=5)
        print(f"{name}: network available, features {features.shape}")
    except Exception as err:  # offline: a ConnectionError that explains what to do
        print(f"{name} failed ({type(err).__name__}):\n  {err}\n")

# %% [markdown]
# ## 9. Evaluating a run folder
#
# `tfvidgan.evaluate.evaluate_run` does all of the above for a run trained with `tfvidgan train`: it
# generates samples, renders fresh real data and a second real set for the baseline column, picks the
# offline extractors that fit the dataset, and writes `eval.json` (also `tfvidgan eval --run DIR` on the
# command line). We train a *tiny* VGAN for a few hundred steps: its clips are poor, which is the point:
# the table shows how far they are from the baseline.

# %%
runtime.set_precision()  # bf16 on CPUs that support it, else float32 (notebook 01)
cfg = get_config(
    "vgan", "tiny", steps=pick(normal=300, smoke=4), steps_per_epoch=pick(normal=100, smoke=2)
)
run_dir = OUT / "tiny_vgan"
shutil.rmtree(run_dir, ignore_errors=True)  # train() would resume a run it finds there
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # a few-step run trips the health alarms: expected here
    tfvidgan.train.train(cfg, run_dir, verbose=0)
results = evaluate.evaluate_run(run_dir, num=pick(normal=256, smoke=32))
display(Markdown(evaluate.format_table(results)))
video_io.display_video(run_dir / "samples.gif", width=256)

# %% [markdown]
# Reading it: FVD and KVD far above the baseline, few recognisable frames, and motion statistics away
# from those of real clips. Train the `demo` preset (`tfvidgan demo`, ~9 min) and evaluate again to see
# the gap close.
#
# ## Exercises
#
# Replace each `raise course.TODO` by your code and run the cell, then the check cell below it.
# The solutions are in `notebooks/solutions/12_evaluating_video_solutions.ipynb`.
#
# ### Exercise 12.1: the Fréchet distance in one dimension
#
# For 1-D Gaussians N(μ₁, s₁²) and N(μ₂, s₂²) (s = standard deviation) the formula of section 2 has a
# closed form without any matrix square root. Derive it and implement it. The check compares with
# `distances.frechet_distance` on 1x1 covariances.


# %%
def my_frechet_1d(mu1, s1, mu2, s2):
    # TODO: return d^2 for N(mu1, s1^2) and N(mu2, s2^2)
    raise course.TODO


# %%
course.check("Exercise 12.1", my_frechet_1d, nb12.check_frechet_1d)

# %% [markdown]
# ### Exercise 12.2: detect frozen clips
#
# Return a boolean array `(N,)` that is True for clips whose mean squared difference between consecutive
# frames (over time, pixels and channels) is below `threshold`. Videos are `(N, T, H, W, C)` float in [-1, 1].
# The check compares with `motion.frozen_clips` on real, frozen and almost-frozen clips.


# %%
def my_frozen_clips(videos, threshold=1e-3):
    # TODO
    raise course.TODO


# %%
course.check("Exercise 12.2", my_frozen_clips, nb12.check_frozen_clips)

# %% [markdown]
# ### Exercise 12.3: unbiased MMD² from kernel matrices
#
# Given the kernel matrices `kxx (m, m)`, `kyy (n, n)` and `kxy (m, n)`, return the unbiased MMD² of
# section 3 as a float. The check compares with `distances.mmd2_unbiased`.


# %%
def my_mmd2_unbiased(kxx, kyy, kxy):
    # TODO
    raise course.TODO


# %%
course.check("Exercise 12.3", my_mmd2_unbiased, nb12.check_mmd2_unbiased)
