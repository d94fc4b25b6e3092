"""Sets of integers stored as sorted, disjoint, non-adjacent half-open intervals [start, end)."""


class IntervalSet:
    def __init__(self, intervals=()):
        self._iv = []  # sorted list of [start, end) pairs, disjoint and not touching
        for a, b in intervals:
            self.add(a, b)

    def intervals(self):
        """The intervals as a list of (start, end) tuples, sorted."""
        return [tuple(p) for p in self._iv]

    def add(self, start, end):
        """Add [start, end). Overlapping or touching intervals are merged. Empty ranges are ignored."""
        if start >= end:
            return
        out = []
        i = 0
        n = len(self._iv)
        while i < n and self._iv[i][1] < start:
            out.append(self._iv[i])
            i += 1
        while i < n and self._iv[i][0] <= end:
            start = min(start, self._iv[i][0])
            end = max(end, self._iv[i][1])
            i += 1
        out.append([start, end])
        out.extend(self._iv[i:])
        self._iv = out

    def remove(self, start, end):
        """Remove [start, end) from the set."""
        if start >= end:
            return
        out = []
        for a, b in self._iv:
            if b <= start or a >= end:
                out.append([a, b])
                continue
            if a < start:
                out.append([a, start])
            if b > end:
                out.append([end, b])
        self._iv = out

    def __contains__(self, x):
        lo, hi = 0, len(self._iv)
        while lo < hi:
            mid = (lo + hi) // 2
            a, b = self._iv[mid]
            if x < a:
                hi = mid
            elif x >= b:
                lo = mid + 1
            else:
                return True
        return False

    def __len__(self):
        """Number of integers covered."""
        return sum(b - a for a, b in self._iv)

    def __eq__(self, other):
        return isinstance(other, IntervalSet) and self._iv == other._iv

    def __repr__(self):
        return f"IntervalSet({self.intervals()!r})"

    def union(self, other):
        out = IntervalSet(self.intervals())
        for a, b in other.intervals():
            out.add(a, b)
        return out

    def intersection(self, other):
        res = []
        x, y = self._iv, other._iv
        i = j = 0
        while i < len(x) and j < len(y):
            a = max(x[i][0], y[j][0])
            b = min(x[i][1], y[j][1])
            if a < b:
                res.append((a, b))
            if x[i][1] < y[j][1]:
                i += 1
            else:
                j += 1
        return IntervalSet(res)

    def complement(self, lo, hi):
        """The integers of [lo, hi) not in the set."""
        out = IntervalSet([(lo, hi)])
        for a, b in self._iv:
            out.remove(a, b)
        return out
