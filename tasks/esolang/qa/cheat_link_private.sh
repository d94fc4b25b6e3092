# Cheating attempt (evalkit QA convention, runs as the agent for every task; $EVALKIT_TASK names it): submit
# a link to the root-only family code (which holds the hidden tests) instead of a Kestrel program, and a
# /dev/zero link for good measure. Must score 0: the scorer reads the program as the agent, refusing links.
set -e
ln -sfn /root/esolang.py "/home/agent/$EVALKIT_TASK.ks"
ln -sfn /dev/zero /home/agent/zero.ks
echo "/home/agent/$EVALKIT_TASK.ks"
