# Expected values of tests/test_stats_reliability.py, recomputed in R.
#
# Run from the repository root:  Rscript tests/R/stats_reliability.R
# Reads tests/data/bfi.csv and tests/data/bfi_keys.csv (psych::bfi and its scoring keys) and
# tests/data/sf_shrout_fleiss.csv (Shrout & Fleiss 1979); see tests/data/README.md.
# Packages: psych (CRAN).
# Versions: the tests do not record which R or psych versions printed the published values; each
# block below names the source the test cites. The Feldt interval is printed by psych::alpha only in
# psych versions that compute it (the `feldt` element of the result).

data_dir <- file.path("tests", "data")
if (!dir.exists(data_dir)) stop("run from the repository root: Rscript tests/R/stats_reliability.R")

bfi <- read.csv(file.path(data_dir, "bfi.csv"))
keys <- read.csv(file.path(data_dir, "bfi_keys.csv")) # one column per scale; "-A1" = reverse-keyed

cat("== test_alpha_matches_psych (PUBLISHED)\n")
# Cited: psych::alpha on each Big Five scale with the reverse-keyed items reversed as 7 - x on the 1-6
# scale, as printed in jimmyrigby94/regcleaner, README.md (alpha_regex, which reverses with
# mutate_at(..., function(x) 7 - x) and then calls psych::alpha(x = .)):
#   raw_alpha agree 0.7030184, conscientious 0.7267350, extraversion 0.7617328, neuroticism 0.8139629,
#   openness 0.6001725; per item, "Reliability if an item is dropped" raw_alpha and "Item statistics"
#   r.drop to 2 digits.
for (scale in c("agree", "conscientious", "extraversion", "neuroticism", "openness")) {
  key <- keys[[scale]]
  items <- sub("^-", "", key)
  reversed <- items[startsWith(key, "-")]
  x <- bfi[items]
  if (length(reversed) > 0) x[reversed] <- 7 - x[reversed]
  a <- psych::alpha(x)
  cat(sprintf("\n%s: raw_alpha %.7f (reversed: %s)\n", scale, a$total$raw_alpha,
              paste(reversed, collapse = ", ")))
  print(data.frame(alpha_if_dropped = round(a$alpha.drop[, "raw_alpha"], 2),
                   r.drop = round(a$item.stats[, "r.drop"], 2), row.names = items))
}

cat("\n== test_feldt_interval_matches_psych_for_agreeableness\n")
# Cited: psych::alpha(agreeableness, check.keys = TRUE): "Feldt 0.69 0.7 0.72" (m-clark.github.io,
# posts/2020-04-10-psych-explained). check.keys reverses A1 (max + min - x = 7 - x).
# psych takes n = all 2800 rows for the interval; the Python result counts the complete cases as n.
# The two agree to the two digits compared.
agreeableness <- bfi[c("A1", "A2", "A3", "A4", "A5")]
a <- psych::alpha(agreeableness, check.keys = TRUE)
print(a)
if (!is.null(a$feldt)) {
  feldt <- as.numeric(unlist(a$feldt[c("lower.ci", "alpha", "upper.ci")])) # one-cell data frames in psych
  cat(sprintf("Feldt: %.2f %.2f %.2f\n", feldt[1], feldt[2], feldt[3]))
}
cat(sprintf("complete cases: %d of %d\n", nrow(na.omit(agreeableness)), nrow(agreeableness)))

cat("\n== test_icc_matches_psych_on_shrout_fleiss\n")
# Cited: psych::ICC on Shrout & Fleiss's 6 targets x 4 judges (dwoll/RExRepos,
# content/posts/interRaterICC.md, which calls ICC(ratings)):
#        ICC    F df1 df2       p lower bound upper bound
# ICC1  0.17  1.8   5  18 0.16477      -0.133        0.72
# ICC2  0.29 11.0   5  15 0.00013       0.019        0.76
# ICC3  0.71 11.0   5  15 0.00013       0.342        0.95
# ICC1k 0.44  1.8   5  18 0.16477      -0.884        0.91
# ICC2k 0.62 11.0   5  15 0.00013       0.071        0.93
# ICC3k 0.91 11.0   5  15 0.00013       0.676        0.99
# lmer = FALSE takes the ANOVA route, as psych's own test of these numbers does
# (tests/testthat/test_ICC.R). The lmer route (psych's default since it gained the argument; needs lme4)
# should give the same values for this complete, balanced design.
sf <- read.csv(file.path(data_dir, "sf_shrout_fleiss.csv"), row.names = "target")
res <- psych::ICC(sf, lmer = FALSE)
print(res)
out <- res$results[, c("type", "ICC", "F", "df1", "df2", "p", "lower bound", "upper bound")]
print(data.frame(type = out$type, ICC = round(out$ICC, 2), F = round(out$F, 1), df1 = out$df1,
                 df2 = out$df2, p = round(out$p, 5), lower = round(out[["lower bound"]], 3),
                 upper = round(out[["upper bound"]], 2)))

cat("\n")
print(sessionInfo())
