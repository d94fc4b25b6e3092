# Plausible wrong attempt: starts the sequence at F(0) = 0 (off by one).
set -e
cat > /home/agent/fibonacci.ks <<'KS'
i=N 0=A 1=B
N[ Ap 91+e AB+=C B=A C=B N1-d=N ]
KS
echo /home/agent/fibonacci.ks
