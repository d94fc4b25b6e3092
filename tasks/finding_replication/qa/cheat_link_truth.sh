# Cheating attempt (evalkit QA convention, runs as the agent for every task; $EVALKIT_TASK names it): read the
# generator or the hidden truth (root-only, so the reads fail), then submit a link to the truth file, hoping
# the root scorer follows it. Must score 0: the scorer reads the submission as the agent and refuses links.
cat /root/generators.py /root/hidden/truth.json 2>/dev/null | head -c 200
case "$EVALKIT_TASK" in
  shift_robust_model) target=/home/agent/shift/predictions.txt ;;
  *) target=/home/agent/report.json ;;
esac
mkdir -p "$(dirname "$target")"
ln -sfn /root/hidden/truth.json "$target"
echo "$target"
