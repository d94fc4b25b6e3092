# Reference solution (evalkit QA convention): runs as the agent; the last stdout line is the submission.
set -e
cat > /home/agent/fibonacci.ks <<'KS'
i=N 0=A 1=B          # N = n; A, B = F(0), F(1)
N[                   # loop n times
  Bp 91+e            # print B and a newline
  AB+=C B=A C=B      # advance the pair
  N1-d=N             # N = N - 1, leaving it as the loop condition
]
KS
echo 7 | python3 /home/agent/kestrel/kestrel.py /home/agent/fibonacci.ks >&2
echo /home/agent/fibonacci.ks
