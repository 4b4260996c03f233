# Expected values of tests/test_stats_models.py, recomputed in R.
#
# Run from the repository root:  Rscript tests/R/stats_models.R
# Reads tests/data/sleepstudy.csv (lme4::sleepstudy) and tests/data/acipair.csv (the dyadr package's
# acipair); see tests/data/README.md.
# Packages: lme4 (CRAN), nlme (recommended package, ships with R). Both fit by REML, their default,
# as the published outputs do.
# Versions: the tests do not record which R, lme4 or nlme versions printed the published values; each
# block below names the source the test cites.
# Names: the nlme outputs come from RandiLGarcia/2day-dyad-workshop, which builds its own pairwise file
# with other column names. Here they are the acipair.csv names:
#   satisfaction_A -> Satisfaction_A, other_pos_A/_P -> OtherPos_A/_P, cuplid -> CoupleID,
#   gender_A (factor hus/wife) -> Gender_A (Husband/Wife), genderE_A (+1 husband, -1 wife) -> GenderE_A.

data_dir <- file.path("tests", "data")
if (!dir.exists(data_dir)) stop("run from the repository root: Rscript tests/R/stats_models.R")

cat("== test_mixed_model_matches_lmer_on_sleepstudy\n")
# Cited: summary(lmer(Reaction ~ Days + (1 | Subject), sleepstudy)) (selva86.github.io,
# Random-Intercepts-and-Slopes-in-R): Subject variance 1378.2, Residual 960.5;
# (Intercept) 251.4051 (SE 9.7467, t 25.79), Days 10.4673 (SE 0.8042, t 13.02); 18 subjects, 180 rows.
sleepstudy <- read.csv(file.path(data_dir, "sleepstudy.csv")) # columns rownames, Reaction, Days, Subject
sleepstudy$Subject <- factor(sleepstudy$Subject)
fm <- lme4::lmer(Reaction ~ Days + (1 | Subject), sleepstudy)
print(summary(fm))
print(round(coef(summary(fm)), 4))
vc <- as.data.frame(lme4::VarCorr(fm))
print(data.frame(group = vc$grp, variance = round(vc$vcov, 1)))
cat(sprintf("groups %d, observations %d\n", lme4::ngrps(fm)[["Subject"]], nobs(fm)))

acipair <- read.csv(file.path(data_dir, "acipair.csv"))
acipair$Gender_A <- factor(acipair$Gender_A) # levels Husband, Wife
acipair$GenderE_A <- ifelse(acipair$Gender_A == "Husband", 1, -1)

rho <- function(fit) unname(coef(fit$modelStruct$corStruct, unconstrained = FALSE))
show_gls <- function(fit) {
  print(summary(fit))
  print(summary(fit)$tTable, digits = 7)
  cat(sprintf("Rho %.7f; logLik %.4f; residual standard error %.7f\n",
              rho(fit), as.numeric(logLik(fit)), fit$sigma))
}

cat("\n== test_dyadic_model_matches_nlme_gls_indistinguishable\n")
# Cited: gls(satisfaction_A ~ other_pos_A + other_pos_P, correlation = corCompSymm(form = ~1|cuplid),
#            na.action = na.omit)
# (RandiLGarcia/2day-dyad-workshop, Day 1/R Code/Day_1-Actor-Partner_Interdependence_Model):
#   Rho 0.4693414; logLik -148.3591; residual standard error 0.4173659
#   (Intercept) 0.6697541 (0.3224381, t 2.077155); other_pos_A 0.4004231 (0.0473141, t 8.463075);
#   other_pos_P 0.2879705 (0.0473141, t 6.086351)
# The indistinguishable APIM of test_apim_matches_nlme_two_intercept_model is this same model:
# actor = OtherPos_A, partner = OtherPos_P.
apim_in <- nlme::gls(Satisfaction_A ~ OtherPos_A + OtherPos_P, data = acipair,
                     correlation = nlme::corCompSymm(form = ~ 1 | CoupleID), na.action = na.omit)
show_gls(apim_in)
# Cited, empty model in the same source: intercept 3.60473 (SE 0.03674615), Rho 0.61847.
apim_in_empty <- nlme::gls(Satisfaction_A ~ 1, data = acipair,
                           correlation = nlme::corCompSymm(form = ~ 1 | CoupleID), na.action = na.omit)
show_gls(apim_in_empty)

cat("\n== test_apim_matches_nlme_two_intercept_model\n")
# Cited: gls(satisfaction_A ~ gender_A + other_pos_A:gender_A + other_pos_P:gender_A - 1,
#            correlation = corCompSymm(form = ~1|cuplid), weights = varIdent(form = ~1|gender_A))
# (same source; it writes the weights with genderE_A, the same two groups): logLik -150.1108;
# husband intercept 0.6904589, actor 0.4243866 (0.0677157), partner 0.2616498 (0.0614025);
# wife intercept 0.6112485, actor 0.3777000 (0.0739222), partner 0.3214782 (0.0815225).
apim_di_two <- nlme::gls(Satisfaction_A ~ Gender_A + OtherPos_A:Gender_A + OtherPos_P:Gender_A - 1,
                         data = acipair, correlation = nlme::corCompSymm(form = ~ 1 | CoupleID),
                         weights = nlme::varIdent(form = ~ 1 | Gender_A), na.action = na.omit)
show_gls(apim_di_two)
# Cited: rho 0.4751092, from the equivalent interaction model of the same source
# (gls(satisfaction_A ~ other_pos_A + other_pos_P + genderE_A + other_pos_A*genderE_A
#      + other_pos_P*genderE_A, ..., weights = varIdent(form=~1|genderE_A))); a reparametrisation of the
# two-intercept model (same columns spanned, same variance structure), so both estimate the same Rho.
# The cited logLik -150.1108 is the two-intercept model's.
apim_di_int <- nlme::gls(Satisfaction_A ~ OtherPos_A + OtherPos_P + GenderE_A + OtherPos_A:GenderE_A +
                           OtherPos_P:GenderE_A,
                         data = acipair, correlation = nlme::corCompSymm(form = ~ 1 | CoupleID),
                         weights = nlme::varIdent(form = ~ 1 | GenderE_A), na.action = na.omit)
show_gls(apim_di_int)

cat("\n")
print(sessionInfo())
