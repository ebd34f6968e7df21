"""The field corpus: the pinned repository list and laying each one out as a tree.

A repository comes from a local mirror when SOCLINT_FIELD_MIRRORS names a directory
holding git directories (`OWNER+NAME/repo`, the layout the `fetch` tool writes, or
`OWNER+NAME`, `OWNER/NAME.git`, `OWNER/NAME`), else from a `git clone` of GitHub into
WORK/clones. Either way the tree holds the pinned commit's files, byte for byte, except
blobs the git directory lacks (the `fetch` tool's snapshots leave out files of 4 MiB and
more): those are listed in WORK/trees/NAME.missing and in the scan table. A stamp file
beside each tree says which commit it holds, so it is reused only when it matches.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REPOS_TSV = HERE / "repos.tsv"


@dataclass(frozen=True)
class Repo:
    name: str  # short name used in tables and labels
    slug: str  # owner/name on GitHub
    commit: str
    targets: str


def work_dir() -> Path:
    return Path(os.environ.get("SOCLINT_FIELD_WORK", HERE / ".work")).resolve()


def load_repos(only=None) -> list:
    repos = []
    for line in REPOS_TSV.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, slug, commit, targets = line.split("\t")
        repos.append(Repo(name, slug, commit, targets))
    if only:
        unknown = sorted(set(only) - {r.name for r in repos})
        if unknown:
            sys.exit(f"unknown repository name(s): {', '.join(unknown)}")
        repos = [r for r in repos if r.name in only]
    return repos


def git(*args, **kw):
    return subprocess.run(["git", *args], check=True, **kw)


def has_commit(git_dir: Path, commit: str) -> bool:
    r = subprocess.run(
        ["git", "--git-dir", str(git_dir), "cat-file", "-e", f"{commit}^{{commit}}"],
        stderr=subprocess.DEVNULL,
    )
    return r.returncode == 0


def mirror_candidates(repo: Repo):
    base = os.environ.get("SOCLINT_FIELD_MIRRORS")
    if not base:
        return []
    owner, name = repo.slug.split("/")
    b = Path(base)
    return [
        b / f"{owner}+{name}" / "repo",
        b / f"{owner}+{name}",
        b / owner / f"{name}.git",
        b / owner / name / ".git",
        b / owner / name,
    ]


def source_git_dir(repo: Repo) -> Path:
    """A git directory that holds the pinned commit: a mirror, else a clone."""
    for cand in mirror_candidates(repo):
        if (cand / "objects").is_dir() and has_commit(cand, repo.commit):
            return cand
    clone = work_dir() / "clones" / repo.slug.replace("/", "+")
    url = f"https://github.com/{repo.slug}"
    try:
        if not clone.is_dir():
            print(f"  {repo.name}: not in a mirror; cloning {url}", file=sys.stderr)
            partial = clone.with_name(clone.name + ".part")
            shutil.rmtree(partial, ignore_errors=True)
            partial.parent.mkdir(parents=True, exist_ok=True)
            git("clone", "--bare", "--quiet", url, str(partial))
            partial.rename(clone)
        if not has_commit(clone, repo.commit):
            git("--git-dir", str(clone), "fetch", "--quiet", "origin", repo.commit)
    except subprocess.CalledProcessError:
        sys.exit(f"{repo.name}: commit {repo.commit} is in no mirror under SOCLINT_FIELD_MIRRORS "
                 f"and could not be fetched from {url}")
    return clone


def tree_dir(repo: Repo) -> Path:
    return work_dir() / "trees" / repo.name


def layout(repo: Repo) -> Path:
    """The repository's tree at its pinned commit (laid out once, then reused)."""
    out = tree_dir(repo)
    # the stamp sits beside the tree, so the tree stays byte-identical to the commit
    stamp = out.parent / f"{repo.name}.commit"
    if stamp.is_file() and stamp.read_text().strip() == repo.commit:
        mark_repository_root(out)
        return out
    src = source_git_dir(repo)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    missing = write_tree(src, repo.commit, out)
    missing_list = out.parent / f"{repo.name}.missing"
    missing_list.write_text("".join(p + "\n" for p in missing))
    if missing:
        print(f"  {repo.name}: {len(missing)} file(s) absent from the git directory (see {missing_list})", file=sys.stderr)
    stamp.write_text(repo.commit + "\n")
    mark_repository_root(out)
    return out


def mark_repository_root(tree: Path):
    """An empty `.git` directory: the tree is a repository root, as a checkout
    is, so soclint names paths from it (not from a repository the work
    directory happens to sit in) and looks for its config no higher."""
    (tree / ".git").mkdir(exist_ok=True)


def missing_files(repo: Repo) -> list:
    """Files of the commit that the git directory did not hold (snapshots leave out
    files of 4 MiB and more and Git LFS content); empty for a full clone."""
    f = tree_dir(repo).parent / f"{repo.name}.missing"
    return f.read_text().splitlines() if f.is_file() else []


def write_tree(git_dir: Path, commit: str, out: Path) -> list:
    """Writes the commit's files under `out` (symlinks as symlinks, the executable
    bit kept, submodules left out); returns the paths whose blobs are absent.
    `git archive` would stop at the first absent blob."""
    listing = subprocess.run(
        ["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", "--full-tree", commit],
        check=True,
        capture_output=True,
    ).stdout
    entries = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, path = item.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob":
            entries.append((mode.decode(), sha.decode(), os.fsdecode(path)))
    missing = []
    batch = subprocess.Popen(
        ["git", "--git-dir", str(git_dir), "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    for mode, sha, path in entries:
        batch.stdin.write(sha.encode() + b"\n")
        batch.stdin.flush()
        header = batch.stdout.readline().split()
        if header[-1] == b"missing":
            missing.append(path)
            continue
        data = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)  # the newline after each object
        target = out / path
        if not target.resolve().is_relative_to(out.resolve()):
            sys.exit(f"refusing a path outside the tree: {path!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            os.symlink(os.fsdecode(data), target)
        else:
            target.write_bytes(data)
            if mode == "100755":
                target.chmod(0o755)
    batch.stdin.close()
    batch.wait()
    return sorted(missing)
