# Expected values of tests/test_stats_change.py, recomputed in R.
#
# Run from the repository root:  Rscript tests/R/stats_change.R
# Reads tests/data/sleep.csv (R's datasets::sleep, see tests/data/README.md); the other examples are
# typed in, as in the tests.
# Packages: stats (base R); effectsize (CRAN); optional: CECPfuns (GitHub cpsyctc/CECPfuns) and apa
# (GitHub dgromer/apa), skipped with a note when not installed.
# Versions: the tests do not record which R or package versions printed the published values; each
# block below names the source the test cites. Two calls had to change for current R, see the notes at
# the t-test and the Wilcoxon test.
# Signs: R subtracts group 2 from group 1; evaluation.stats.paired_change reports post - pre
# (group 2 - group 1), so the Python test expects the same numbers with the sign flipped.

data_dir <- file.path("tests", "data")
if (!dir.exists(data_dir)) stop("run from the repository root: Rscript tests/R/stats_change.R")

sleep <- read.csv(file.path(data_dir, "sleep.csv")) # columns rownames, extra, group (1/2), ID (1-10)
sleep <- sleep[order(sleep$group, sleep$ID), ]
g1 <- sleep$extra[sleep$group == 1]
g2 <- sleep$extra[sleep$group == 2]
stopifnot(identical(sleep$ID[sleep$group == 1], sleep$ID[sleep$group == 2])) # paired by ID

cat("== test_paired_change_matches_r_t_test\n")
# Cited: t.test(extra ~ group, data = sleep, paired = TRUE)
#   t = -4.0621, df = 9, p-value = 0.002833; 95% CI -2.4598858 -0.7001142; mean difference -1.58
# R 4.4.0 and later refuse `paired` in the formula method; the two-vector call below is the same test
# (it is the example on ?sleep).
tt <- t.test(g1, g2, paired = TRUE)
print(tt)
cat(sprintf("t = %.4f, df = %d, p-value = %.6f\n", tt$statistic, as.integer(tt$parameter), tt$p.value))
cat(sprintf("95 percent CI: %.7f %.7f; mean difference %.2f; n = %d\n",
            tt$conf.int[1], tt$conf.int[2], tt$estimate, length(g1)))

cat("\n== test_paired_change_wilcoxon_matches_r\n")
# Cited: wilcox.test(extra ~ group, data = sleep, paired = TRUE)
#   Wilcoxon signed rank test with continuity correction: V = 0, p-value = 0.009091
#   (warnings: cannot compute exact p-value with ties / with zeroes; the one zero difference is dropped)
# exact = FALSE and correct = TRUE spell out what the default did before R 4.6.0, which added exact
# conditional p-values with ties; on R >= 4.6.0 the asymptotic p-value may differ in the last digits.
# V = 0 for group 1 - group 2; for post - pre the Python test expects 9 * 10 / 2 = 45, the sum of the ranks
# of all 9 non-zero differences.
wt <- wilcox.test(g1, g2, paired = TRUE, exact = FALSE, correct = TRUE)
print(wt)
cat(sprintf("V = %g, p-value = %.6f; non-zero differences: %d\n",
            wt$statistic, wt$p.value, sum(g1 - g2 != 0)))

cat("\n== test_paired_change_effect_sizes\n")
# Cited: effectsize (easystats/effectsize, reference/cohens_d.md):
#   cohens_d(Pair(extra[group == 1], extra[group == 2]) ~ 1, data = sleep) -> -1.28 [-2.12, -0.41]
if (requireNamespace("effectsize", quietly = TRUE)) {
  print(effectsize::cohens_d(Pair(extra[group == 1], extra[group == 2]) ~ 1, data = sleep))
} else {
  cat("effectsize not installed: install.packages(\"effectsize\")\n")
}
# Lakens (2013), eq. 6 and 10: d_z = M_diff / SD_diff; d_av = M_diff / ((SD1 + SD2) / 2);
# g_av = d_av * (1 - 3 / (4 (n1 + n2) - 9)). Cited: SD_diff 1.229995, SD1 1.789010, SD2 2.002249.
d <- g2 - g1
n <- length(d)
cat(sprintf("SD_diff %.6f, SD1 %.6f, SD2 %.6f\n", sd(d), sd(g1), sd(g2)))
d_av <- mean(d) / ((sd(g1) + sd(g2)) / 2)
cat(sprintf("d_z (post - pre) %.6f; d_av %.6f; g_av %.6f\n",
            mean(d) / sd(d), d_av, d_av * (1 - 3 / (4 * (n + n) - 9))))

cat("\n== test_reliable_change_jacobson_truax\n")
# Jacobson & Truax (1991): S_diff = sqrt(2 * SE^2), SE = SD * sqrt(1 - r_xx); smallest reliable change
# = qnorm(.975) * S_diff. Cited: cpsyctc/CECPfuns, tests/testthat/test-getRCIfromSDandAlpha.R:
#   getRCIfromSDandAlpha(7.5, .8, conf = 0.95) == 9.296925484568419051357
s_diff <- sqrt(2 * (7.5 * sqrt(1 - 0.8))^2)
cat(sprintf("S_diff %.15f; qnorm(.975) %.15f; qnorm(.975) * S_diff %.15f\n",
            s_diff, qnorm(0.975), qnorm(0.975) * s_diff))
if (requireNamespace("CECPfuns", quietly = TRUE)) {
  print(CECPfuns::getRCIfromSDandAlpha(7.5, .8, conf = 0.95), digits = 16)
} else {
  cat("CECPfuns not installed (remotes::install_github(\"cpsyctc/CECPfuns\"));",
      "the line above is its formula\n")
}
# The test's four people: baseline 20, follow-up 30, 29, 12, 10 -> changes +10, +9, -8, -10
change <- c(30, 29, 12, 10) - 20
print(data.frame(change, rci = change / s_diff, reliable = abs(change) > qnorm(0.975) * s_diff))

cat("\n== test_adjust_pvalues_benjamini_hochberg_example\n")
# Benjamini & Hochberg (1995), section 4: at q = 0.05 BH rejects the four smallest of these 15,
# Bonferroni-type (Holm) control only three.
p <- c(0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
       0.5719, 0.6528, 0.7590, 1.000)
cat(sprintf("BH rejections: %d; Holm rejections: %d\n",
            sum(p.adjust(p, "BH") <= 0.05), sum(p.adjust(p, "holm") <= 0.05)))
# Cited: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm") -> 0.05 0.08 0.09 0.09 0.09
print(p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm"))
# Missing values are kept in place and not counted (adjust_pvalues' default is Holm): a 0.02, b NA, c 0.02
print(p.adjust(c(a = 0.02, b = NA, c = 0.01), "holm"))

cat("\n== test_hedges_gav_matches_lakens_movie_example\n")
# Lakens (2013), worked example (movie ratings, n = 10 paired): g_av = 1.08, t(9) = 4.74, d_z = 1.50
# (as reproduced in dgromer/apa, tests/testthat/test-cohens-d.R).
movie1 <- c(9, 7, 8, 9, 8, 9, 9, 10, 9, 9)
movie2 <- c(9, 6, 7, 8, 7, 9, 8, 8, 8, 7)
mt <- t.test(movie1, movie2, paired = TRUE)
dm <- movie1 - movie2
d_av <- mean(dm) / ((sd(movie1) + sd(movie2)) / 2)
cat(sprintf("t(%d) = %.2f; d_z = %.2f; g_av = %.2f\n", as.integer(mt$parameter), mt$statistic,
            mean(dm) / sd(dm), d_av * (1 - 3 / (4 * 20 - 9))))
if (requireNamespace("apa", quietly = TRUE)) {
  # apa's own tests: cohens_d(movie_1, movie_2, corr = "hedges_g") 1.08; paired = TRUE 1.5
  cat(sprintf("apa: hedges_g %.2f; paired d %.2f\n",
              apa::cohens_d(movie1, movie2, corr = "hedges_g"), apa::cohens_d(movie1, movie2, paired = TRUE)))
} else {
  cat("apa not installed (remotes::install_github(\"dgromer/apa\")); skipped\n")
}

cat("\n")
print(sessionInfo())
