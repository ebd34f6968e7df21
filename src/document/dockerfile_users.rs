//! The users a `RUN` creates (`useradd app`, `adduser -D -u 10001 app`), so
//! a stage can say which non-root user it has: what a fix may switch
//! `USER` to. Only a command with exactly one name and no shell expansion
//! counts (Debian's `adduser user group` adds a user to a group instead).

/// Options of useradd/adduser (shadow, Debian, BusyBox) that take a value.
const WITH_VALUE: &[&str] = &[
    "-u",
    "-g",
    "-G",
    "-d",
    "-s",
    "-c",
    "-k",
    "-e",
    "-f",
    "-K",
    "-p",
    "-b",
    "-h",
    "--uid",
    "--gid",
    "--groups",
    "--home",
    "--home-dir",
    "--base-dir",
    "--shell",
    "--comment",
    "--gecos",
    "--ingroup",
    "--skel",
    "--key",
    "--password",
    "--expiredate",
    "--inactive",
    "--firstuid",
    "--lastuid",
    "--add_extra_groups",
    "--extrausers",
];

/// The names `script` creates, in order.
pub fn users_created(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    for command in script.split([';', '&', '|', '\n']) {
        let mut words = command.split_whitespace().filter(|w| *w != "\\");
        let creates = words
            .by_ref()
            .any(|w| matches!(w.rsplit('/').next(), Some("useradd" | "adduser")));
        if !creates {
            continue;
        }
        let mut names = Vec::new();
        let mut skip = false;
        for w in words {
            if skip {
                skip = false;
            } else if WITH_VALUE.contains(&w) {
                skip = true;
            } else if !w.starts_with('-') {
                names.push(w);
            }
        }
        if let [name] = names.as_slice() {
            let plain = name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
                && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && *name != "root";
            if plain {
                out.push(name.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::users_created;

    #[test]
    fn names_of_created_users() {
        assert_eq!(
            users_created("addgroup -S app && adduser -S -D -u 10001 -G app app"),
            ["app"]
        );
        assert_eq!(
            users_created("groupadd -r web && useradd -r -g web -d /srv -s /sbin/nologin web"),
            ["web"]
        );
        assert_eq!(
            users_created("apt-get update; /usr/sbin/useradd --uid=1000 --create-home node"),
            ["node"]
        );
        // adding a user to a group, a variable, root: none
        assert!(users_created("adduser app docker").is_empty());
        assert!(users_created("useradd $USER").is_empty());
        assert!(users_created("useradd -o -u 0 root").is_empty());
    }
}
