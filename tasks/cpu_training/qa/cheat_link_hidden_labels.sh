# Cheating attempt (evalkit QA convention, runs as the agent for every task; $EVALKIT_TASK names it): instead
# of predictions, submit a link to the scorer's root-only hidden labels, hoping the root scorer follows it.
# Must score 0: the scorer reads the submitted file as the agent and refuses a symlink.
set -e
case "$EVALKIT_TASK" in
  tabular) hidden=/root/hidden/tabular_labels.json ;;
  digits) hidden=/root/hidden/digits_labels.json ;;
  *) hidden=/root/hidden/tiny_lm_targets.json ;;
esac
ln -sfn "$hidden" /home/agent/predictions_link.txt
echo /home/agent/predictions_link.txt
