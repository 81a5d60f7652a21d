//! Calibration of priority weights from reviewed outcomes.
//!
//! A network's review priority is `Σ weight[code] × value[code]` over its features (indicator
//! codes such as `obscured_phone`, network features such as `personas_per_contact`). Reviewers
//! label networks *relevant* (needs investigation, known case) or not (not relevant, independent
//! worker). [`calibrate`] fits the weights to those labels by L2-regularised logistic regression
//! and reports how well the fitted weights *rank* networks: a cross-validated AUC and a
//! calibration table of fitted scores against observed shares of relevant networks.
//!
//! The fitted score (the logistic output in [0, 1]) is a review priority learnt from past
//! review decisions. It says how much a network resembles networks reviewers found worth
//! investigating; it is never a finding about anyone.
//!
//! Everything here is deterministic: the same examples and configuration give bit-identical
//! results on every machine (sorted features, fixed fold assignment, sequential arithmetic).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Newton steps allowed per fit. Logistic regression with an L2 penalty usually converges in
/// under ten steps; the cap only guards against pathological input.
const MAX_NEWTON_STEPS: usize = 50;
/// A fit has converged when no parameter moves by more than this in one Newton step.
const CONVERGENCE_TOLERANCE: f64 = 1e-10;
/// How many times a Newton step may be halved when it would increase the penalised loss.
const MAX_STEP_HALVINGS: usize = 30;
/// Cholesky pivots at or below this fraction of the largest diagonal entry mean the system is
/// (numerically) singular: collinear or all-zero features with no L2 penalty to steady them.
const SINGULAR_PIVOT_RATIO: f64 = 1e-13;

/// One reviewed network: its feature values and the reviewer's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// The network id. Used only to assign cross-validation folds deterministically.
    pub key: u64,
    /// Feature code → value (usually in [0, 1]). A code missing here counts as 0.
    pub features: BTreeMap<String, f64>,
    /// True when reviewers found the network relevant (needs investigation, known case).
    pub relevant: bool,
}

/// Settings of a calibration run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrateConfig {
    /// Strength of the L2 penalty `l2/2 · Σ weight²` added to the summed log-loss. The intercept
    /// is not penalised. Must be finite and ≥ 0; 0 means no regularisation, which fails with
    /// [`CalibrateError::Singular`] on collinear features and drifts on separable data.
    pub l2: f64,
    /// Cross-validation folds (≥ 2). Fewer are used when a class has fewer examples.
    pub folds: usize,
    /// Bins of the calibration table (≥ 1). Fewer are used when there are fewer examples.
    pub bins: usize,
}

impl Default for CalibrateConfig {
    fn default() -> Self {
        Self {
            l2: 1.0,
            folds: 5,
            bins: 10,
        }
    }
}

/// The fitted weights and how well they rank reviewed networks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Feature code → fitted weight, fitted on all examples. Covers every code seen in any
    /// example.
    pub weights: BTreeMap<String, f64>,
    /// The fitted intercept (log-odds of a network with all features at 0).
    pub intercept: f64,
    /// Examples used.
    pub examples: usize,
    /// Examples labelled relevant.
    pub relevant: usize,
    /// AUC of the pooled out-of-fold fitted scores: the chance that a relevant network is
    /// ranked above a not-relevant one by weights that never saw either.
    pub cv_auc: f64,
    /// AUC within each held-out fold, in fold order (folds with one class are skipped).
    pub fold_aucs: Vec<f64>,
    /// Out-of-fold fitted scores in equal-count bins, lowest scores first.
    pub table: Vec<CalibrationBin>,
    /// The L2 strength used.
    pub l2: f64,
    /// The number of folds actually used (may be fewer than configured, see [`calibrate`]).
    pub folds: usize,
    /// False when the final fit hit the Newton step cap before converging (its weights are
    /// usable but should be looked at, typically a sign that `l2` is too small).
    pub converged: bool,
}

impl Calibration {
    /// The fitted score (logistic output in [0, 1]) of a network with these feature values:
    /// a review priority on the scale of the calibration table, not a probability about anyone.
    /// Codes without a fitted weight are ignored.
    pub fn fitted_score(&self, features: &BTreeMap<String, f64>) -> f64 {
        let linear: f64 = self.intercept
            + self
                .weights
                .iter()
                .map(|(code, weight)| weight * features.get(code).copied().unwrap_or(0.0))
                .sum::<f64>();
        logistic(linear)
    }
}

/// One row of the calibration table: a range of out-of-fold fitted scores and how many of the
/// networks in it reviewers found relevant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// Lowest fitted score in the bin.
    pub score_low: f64,
    /// Highest fitted score in the bin.
    pub score_high: f64,
    /// Networks in the bin.
    pub networks: usize,
    /// Of those, networks labelled relevant.
    pub relevant: usize,
    /// `relevant / networks`.
    pub observed_share: f64,
    /// Mean fitted score of the bin. Close to `observed_share` when scores are well calibrated.
    pub mean_score: f64,
}

/// Why a calibration could not be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrateError {
    #[error("{examples} reviewed networks are too few to calibrate: at least {needed} are needed")]
    TooFewExamples { examples: usize, needed: usize },
    #[error(
        "all reviewed networks have the same label ({relevant} relevant, {not_relevant} not \
         relevant): calibration needs both"
    )]
    OneClass {
        relevant: usize,
        not_relevant: usize,
    },
    #[error(
        "cross-validation needs at least {needed} reviewed networks of each label, found \
         {relevant} relevant and {not_relevant} not relevant"
    )]
    TooFewPerClass {
        relevant: usize,
        not_relevant: usize,
        needed: usize,
    },
    #[error("the reviewed networks carry no features to weigh")]
    NoFeatures,
    #[error("feature `{feature}` has a value that is not a finite number (network {key})")]
    NonFinite { feature: String, key: u64 },
    #[error("invalid calibration setting: {0}")]
    InvalidConfig(String),
    #[error(
        "the weights cannot be solved for: features are collinear or always 0 (use an L2 \
         penalty above 0)"
    )]
    Singular,
}

/// Fewest examples of each label: one per fold on each side of a two-fold split.
const MIN_PER_CLASS: usize = 2;

/// Fits priority weights to reviewed outcomes and reports how well they rank.
///
/// - Features are the union of codes over all examples, in sorted order; a missing code is 0.
/// - Weights minimise the summed log-loss plus `l2/2 · Σ weight²` (intercept not penalised),
///   by Newton–Raphson with step halving, stopping on convergence or after 50 steps.
/// - Cross-validation is stratified: relevant and not-relevant examples are each sorted by `key`
///   and dealt round-robin into folds (the not-relevant ones continue where the relevant ones
///   stopped, so fold sizes differ by at most one). Each fold is scored by weights fitted on
///   the other folds; `cv_auc` is the AUC of all out-of-fold scores pooled.
/// - If a label has fewer than `cfg.folds` examples but at least 2, the number of folds is
///   lowered to that count so every fold holds both labels; the count used is reported in
///   [`Calibration::folds`].
/// - The calibration table splits the out-of-fold scores, sorted, into `cfg.bins` equal-count
///   bins (fewer when there are fewer examples). Equal scores may fall on either side of a bin
///   boundary.
/// - The returned weights are fitted on all examples.
pub fn calibrate(
    examples: &[Example],
    cfg: &CalibrateConfig,
) -> Result<Calibration, CalibrateError> {
    validate_config(cfg)?;
    let relevant = examples.iter().filter(|e| e.relevant).count();
    let not_relevant = examples.len() - relevant;
    if examples.len() < 2 * MIN_PER_CLASS {
        return Err(CalibrateError::TooFewExamples {
            examples: examples.len(),
            needed: 2 * MIN_PER_CLASS,
        });
    }
    if relevant == 0 || not_relevant == 0 {
        return Err(CalibrateError::OneClass {
            relevant,
            not_relevant,
        });
    }
    if relevant.min(not_relevant) < MIN_PER_CLASS {
        return Err(CalibrateError::TooFewPerClass {
            relevant,
            not_relevant,
            needed: MIN_PER_CLASS,
        });
    }

    let codes: Vec<String> = examples
        .iter()
        .flat_map(|e| e.features.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .cloned()
        .collect();
    if codes.is_empty() {
        return Err(CalibrateError::NoFeatures);
    }
    let rows = design_rows(examples, &codes)?;
    let labels: Vec<bool> = examples.iter().map(|e| e.relevant).collect();

    let folds = cfg.folds.min(relevant).min(not_relevant);
    let fold_of = assign_folds(examples, folds);

    // Out-of-fold fitted score of every example, filled fold by fold.
    let mut held_out_scores = vec![0.0; examples.len()];
    let mut fold_aucs = Vec::with_capacity(folds);
    for fold in 0..folds {
        let (train_rows, train_labels): (Vec<&[f64]>, Vec<bool>) = (0..examples.len())
            .filter(|&i| fold_of[i] != fold)
            .map(|i| (rows[i].as_slice(), labels[i]))
            .unzip();
        let fit = fit_logistic(&train_rows, &train_labels, cfg.l2)?;
        let mut scores = Vec::new();
        let mut fold_labels = Vec::new();
        for i in (0..examples.len()).filter(|&i| fold_of[i] == fold) {
            held_out_scores[i] = logistic(fit.linear(&rows[i]));
            scores.push(held_out_scores[i]);
            fold_labels.push(labels[i]);
        }
        if let Some(fold_auc) = auc(&scores, &fold_labels) {
            fold_aucs.push(fold_auc);
        }
    }
    // Both labels are present (checked above), so the pooled AUC always exists.
    let cv_auc = auc(&held_out_scores, &labels).ok_or(CalibrateError::OneClass {
        relevant,
        not_relevant,
    })?;
    let table = calibration_table(&held_out_scores, &labels, cfg.bins);

    let all_rows: Vec<&[f64]> = rows.iter().map(Vec::as_slice).collect();
    let fit = fit_logistic(&all_rows, &labels, cfg.l2)?;
    let weights = codes
        .into_iter()
        .zip(fit.parameters[1..].iter().copied())
        .collect();

    Ok(Calibration {
        weights,
        intercept: fit.parameters[0],
        examples: examples.len(),
        relevant,
        cv_auc,
        fold_aucs,
        table,
        l2: cfg.l2,
        folds,
        converged: fit.converged,
    })
}

/// Area under the ROC curve of `scores` against `labels` (true = relevant), computed from ranks
/// (Mann–Whitney U): the share of (relevant, not relevant) pairs in which the relevant one scores
/// higher, ties counting half. Equal scores get the average of their ranks.
///
/// `None` when a label is absent, when the slices differ in length, or when a score is NaN.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    if scores.len() != labels.len() || scores.iter().any(|s| s.is_nan()) {
        return None;
    }
    let positives = labels.iter().filter(|&&l| l).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));

    // Sum of the (1-based, tie-averaged) ranks of the relevant examples. Ranks are whole or
    // half numbers, so the sum is exact in f64 for any realistic count.
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let average_rank = (start + 1 + end) as f64 / 2.0;
        let positives_in_tie = order[start..end].iter().filter(|&&i| labels[i]).count();
        positive_rank_sum += average_rank * positives_in_tie as f64;
        start = end;
    }
    let positives = positives as f64;
    let u = positive_rank_sum - positives * (positives + 1.0) / 2.0;
    Some(u / (positives * negatives as f64))
}

fn validate_config(cfg: &CalibrateConfig) -> Result<(), CalibrateError> {
    if !cfg.l2.is_finite() || cfg.l2 < 0.0 {
        return Err(CalibrateError::InvalidConfig(format!(
            "l2 must be a finite number ≥ 0, got {}",
            cfg.l2
        )));
    }
    if cfg.folds < 2 {
        return Err(CalibrateError::InvalidConfig(format!(
            "folds must be at least 2, got {}",
            cfg.folds
        )));
    }
    if cfg.bins == 0 {
        return Err(CalibrateError::InvalidConfig(
            "bins must be at least 1".into(),
        ));
    }
    Ok(())
}

/// One row per example: its feature values in `codes` order.
fn design_rows(examples: &[Example], codes: &[String]) -> Result<Vec<Vec<f64>>, CalibrateError> {
    examples
        .iter()
        .map(|example| {
            if let Some((code, _)) = example.features.iter().find(|(_, v)| !v.is_finite()) {
                return Err(CalibrateError::NonFinite {
                    feature: code.clone(),
                    key: example.key,
                });
            }
            Ok(codes
                .iter()
                .map(|code| example.features.get(code).copied().unwrap_or(0.0))
                .collect())
        })
        .collect()
}

/// Fold of every example: each label's examples sorted by key (then input order) and dealt
/// round-robin, the second label continuing where the first stopped.
fn assign_folds(examples: &[Example], folds: usize) -> Vec<usize> {
    let mut fold_of = vec![0; examples.len()];
    let mut next_fold = 0;
    for label in [true, false] {
        let mut members: Vec<usize> = (0..examples.len())
            .filter(|&i| examples[i].relevant == label)
            .collect();
        members.sort_by_key(|&i| (examples[i].key, i));
        for i in members {
            fold_of[i] = next_fold;
            next_fold = (next_fold + 1) % folds;
        }
    }
    fold_of
}

/// A fitted logistic model: `parameters[0]` is the intercept, the rest follow the feature order.
struct LogisticFit {
    parameters: Vec<f64>,
    converged: bool,
}

impl LogisticFit {
    fn linear(&self, row: &[f64]) -> f64 {
        linear_predictor(&self.parameters, row)
    }
}

fn linear_predictor(parameters: &[f64], row: &[f64]) -> f64 {
    parameters[0]
        + parameters[1..]
            .iter()
            .zip(row)
            .map(|(w, x)| w * x)
            .sum::<f64>()
}

/// The logistic function, written so that neither branch overflows.
fn logistic(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^z)` without overflow for large `z`.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Summed log-loss plus the L2 penalty on the weights (not the intercept).
fn penalised_loss(parameters: &[f64], rows: &[&[f64]], labels: &[bool], l2: f64) -> f64 {
    let log_loss: f64 = rows
        .iter()
        .zip(labels)
        .map(|(row, &label)| {
            let z = linear_predictor(parameters, row);
            // -log σ(z) = softplus(-z); -log(1 - σ(z)) = softplus(z).
            if label { softplus(-z) } else { softplus(z) }
        })
        .sum();
    let penalty: f64 = parameters[1..].iter().map(|w| w * w).sum::<f64>() * l2 / 2.0;
    log_loss + penalty
}

/// L2-regularised logistic regression by Newton–Raphson, starting from all zeros.
///
/// A Newton step is halved while it would increase the penalised loss: plain Newton can
/// overshoot from a far start, and the loss is convex, so a short enough step always helps.
fn fit_logistic(rows: &[&[f64]], labels: &[bool], l2: f64) -> Result<LogisticFit, CalibrateError> {
    let dimension = rows.first().map_or(0, |r| r.len()) + 1;
    let mut parameters = vec![0.0; dimension];
    let mut loss = penalised_loss(&parameters, rows, labels, l2);
    for _ in 0..MAX_NEWTON_STEPS {
        // Gradient and Hessian of the penalised loss; column 0 is the constant 1 (intercept).
        // Only the lower triangle of the symmetric Hessian is filled: the solver reads no more.
        let mut gradient = vec![0.0; dimension];
        let mut hessian = vec![vec![0.0; dimension]; dimension];
        for (row, &label) in rows.iter().zip(labels) {
            let p = logistic(linear_predictor(&parameters, row));
            let residual = p - if label { 1.0 } else { 0.0 };
            let curvature = p * (1.0 - p);
            for a in 0..dimension {
                let xa = if a == 0 { 1.0 } else { row[a - 1] };
                gradient[a] += residual * xa;
                for b in 0..=a {
                    let xb = if b == 0 { 1.0 } else { row[b - 1] };
                    hessian[a][b] += curvature * xa * xb;
                }
            }
        }
        for a in 1..dimension {
            gradient[a] += l2 * parameters[a];
            hessian[a][a] += l2;
        }

        let mut step = solve_symmetric_positive_definite(hessian, gradient)?;
        let mut halvings = 0;
        let (candidate, candidate_loss) = loop {
            let candidate: Vec<f64> = parameters.iter().zip(&step).map(|(p, s)| p - s).collect();
            let candidate_loss = penalised_loss(&candidate, rows, labels, l2);
            if candidate_loss <= loss {
                break (candidate, candidate_loss);
            }
            if halvings == MAX_STEP_HALVINGS {
                // No step in the Newton direction lowers the loss: the current parameters are
                // the minimum to within rounding.
                return Ok(LogisticFit {
                    parameters,
                    converged: true,
                });
            }
            step.iter_mut().for_each(|s| *s /= 2.0);
            halvings += 1;
        };
        let largest_move = step.iter().fold(0.0_f64, |m, s| m.max(s.abs()));
        parameters = candidate;
        loss = candidate_loss;
        if !parameters.iter().all(|p| p.is_finite()) {
            return Err(CalibrateError::Singular);
        }
        if largest_move <= CONVERGENCE_TOLERANCE {
            return Ok(LogisticFit {
                parameters,
                converged: true,
            });
        }
    }
    Ok(LogisticFit {
        parameters,
        converged: false,
    })
}

/// Solves `matrix · x = rhs` for a symmetric positive definite `matrix` by Cholesky
/// decomposition (`matrix = L·Lᵀ`), then forward and back substitution. Only the lower
/// triangle of `matrix` (`matrix[i][j]` with `j ≤ i`) is read.
fn solve_symmetric_positive_definite(
    matrix: Vec<Vec<f64>>,
    rhs: Vec<f64>,
) -> Result<Vec<f64>, CalibrateError> {
    let n = rhs.len();
    let largest_diagonal = (0..n).fold(0.0_f64, |m, i| m.max(matrix[i][i].abs()));
    let mut lower = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| lower[i][k] * lower[j][k]).sum();
            let value = matrix[i][j] - dot;
            if i == j {
                if value.is_nan() || value <= SINGULAR_PIVOT_RATIO * largest_diagonal {
                    return Err(CalibrateError::Singular);
                }
                lower[i][i] = value.sqrt();
            } else {
                lower[i][j] = value / lower[j][j];
            }
        }
    }
    // L·y = rhs
    let mut y = rhs;
    for i in 0..n {
        let dot: f64 = (0..i).map(|k| lower[i][k] * y[k]).sum();
        y[i] = (y[i] - dot) / lower[i][i];
    }
    // Lᵀ·x = y
    let mut x = y;
    for i in (0..n).rev() {
        let dot: f64 = (i + 1..n).map(|k| lower[k][i] * x[k]).sum();
        x[i] = (x[i] - dot) / lower[i][i];
    }
    Ok(x)
}

/// Splits the scores, sorted, into at most `bins` equal-count bins (sizes differ by at most
/// one), lowest scores first.
fn calibration_table(scores: &[f64], labels: &[bool], bins: usize) -> Vec<CalibrationBin> {
    let n = scores.len();
    let bins = bins.min(n);
    let mut order: Vec<usize> = (0..n).collect();
    // Ties keep input order, so the table does not depend on the sort algorithm.
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(a.cmp(&b)));
    (0..bins)
        .map(|bin| {
            let members = &order[bin * n / bins..(bin + 1) * n / bins];
            let networks = members.len();
            let relevant = members.iter().filter(|&&i| labels[i]).count();
            let score_sum: f64 = members.iter().map(|&i| scores[i]).sum();
            CalibrationBin {
                score_low: scores[members[0]],
                score_high: scores[members[networks - 1]],
                networks,
                relevant,
                observed_share: relevant as f64 / networks as f64,
                mean_score: score_sum / networks as f64,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_small_system() {
        // [[4, 2], [2, 3]] · [1, 2] = [8, 8]
        let x =
            solve_symmetric_positive_definite(vec![vec![4.0, 2.0], vec![2.0, 3.0]], vec![8.0, 8.0])
                .unwrap();
        assert!(
            (x[0] - 1.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12,
            "{x:?}"
        );
    }

    #[test]
    fn cholesky_rejects_a_singular_system() {
        let result =
            solve_symmetric_positive_definite(vec![vec![1.0, 1.0], vec![1.0, 1.0]], vec![1.0, 1.0]);
        assert_eq!(result, Err(CalibrateError::Singular));
    }

    #[test]
    fn logistic_and_softplus_stay_finite_at_extremes() {
        assert_eq!(logistic(1000.0), 1.0);
        assert_eq!(logistic(-1000.0), 0.0);
        assert!((logistic(0.0) - 0.5).abs() < 1e-15);
        assert!((softplus(1000.0) - 1000.0).abs() < 1e-9);
        assert!(softplus(-1000.0) >= 0.0 && softplus(-1000.0) < 1e-300);
    }

    #[test]
    fn folds_are_stratified_and_balanced() {
        let examples: Vec<Example> = (0..10)
            .map(|key| Example {
                key,
                features: BTreeMap::new(),
                relevant: key % 3 == 0,
            })
            .collect();
        let fold_of = assign_folds(&examples, 3);
        for fold in 0..3 {
            let members: Vec<_> = (0..10).filter(|&i| fold_of[i] == fold).collect();
            assert!((3..=4).contains(&members.len()), "fold {fold}: {members:?}");
            assert!(members.iter().any(|&i| examples[i].relevant));
            assert!(members.iter().any(|&i| !examples[i].relevant));
        }
    }

    #[test]
    fn table_bins_have_equal_counts_and_cover_every_score() {
        let scores: Vec<f64> = (0..7).map(|i| i as f64 / 10.0).collect();
        let labels = [false, false, true, false, true, true, true];
        let table = calibration_table(&scores, &labels, 3);
        let sizes: Vec<usize> = table.iter().map(|b| b.networks).collect();
        assert_eq!(sizes, vec![2, 2, 3]);
        assert_eq!(table[0].score_low, 0.0);
        assert_eq!(table[2].score_high, 0.6);
        assert_eq!(table.iter().map(|b| b.relevant).sum::<usize>(), 4);
        assert!((table[1].observed_share - 0.5).abs() < 1e-12);
        assert!((table[1].mean_score - 0.25).abs() < 1e-12);
        // More bins than scores: one score per bin.
        assert_eq!(calibration_table(&scores, &labels, 20).len(), 7);
    }

    #[test]
    fn a_pure_intercept_fit_matches_the_log_odds() {
        // One feature that is always 0: its weight stays 0 and the intercept is the log-odds
        // of the labels (3 relevant out of 4).
        let rows: Vec<&[f64]> = vec![&[0.0]; 4];
        let labels = [true, true, true, false];
        let fit = fit_logistic(&rows, &labels, 1.0).unwrap();
        assert!(fit.converged);
        assert!(
            (fit.parameters[0] - 3.0_f64.ln()).abs() < 1e-9,
            "{:?}",
            fit.parameters
        );
        assert_eq!(fit.parameters[1], 0.0);
    }
}
