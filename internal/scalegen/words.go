package scalegen

// The word banks the documents are made of. Sentences are written the
// way the postmortems under sync/postmortem/testdata/shapes and
// testdata/realworld are: causes that name what went wrong, remedies
// that start with a verb, a narrative without metadata-like "Key:" lines.

var firstNames = []string{
	"Aisha", "Alice", "Amir", "Ana", "Andrei", "Anika", "Ben", "Bob", "Carla", "Carol",
	"Chen", "Dave", "Diego", "Elena", "Emeka", "Erik", "Fatima", "Felix", "Grace", "Hana",
	"Hugo", "Ines", "Ivan", "Jane", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leon",
	"Lina", "Marco", "Maria", "Mateo", "Maya", "Mei", "Nadia", "Nina", "Noah", "Olga",
	"Omar", "Paul", "Priya", "Rafael", "Rosa", "Ruth", "Sam", "Sara", "Sofia", "Tariq",
	"Theo", "Tom", "Uma", "Victor", "Wei", "Xavier", "Yara", "Yusuf", "Zoe", "Zain",
}

var lastNames = []string{
	"Abara", "Almeida", "Andersen", "Bauer", "Becker", "Bianchi", "Brown", "Chen", "Costa", "Dubois",
	"Eriksen", "Fischer", "Garcia", "Gomez", "Hansen", "Hoffmann", "Ibrahim", "Ivanova", "Jensen", "Kato",
	"Keller", "Kim", "Kowalski", "Larsen", "Lee", "Lopez", "Marino", "Martin", "Meyer", "Moreau",
	"Muller", "Nakamura", "Natarajan", "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Perez", "Petrov",
	"Quinn", "Rahman", "Reyes", "Ricci", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Suzuki",
	"Tanaka", "Torres", "Varga", "Wagner", "Walsh", "Weber", "Wong", "Yamada", "Young", "Zhang",
}

var teamNames = []struct{ name, project string }{
	{"payments", "PAY"}, {"search", "SRCH"}, {"platform", "PLAT"}, {"checkout", "CHK"}, {"identity", "IDN"},
	{"storage", "STOR"}, {"networking", "NET"}, {"data", "DATA"}, {"mobile", "MOB"}, {"web", "WEB"},
	{"billing", "BILL"}, {"notifications", "NOTIF"}, {"ledger", "LEDG"}, {"catalog", "CAT"}, {"messaging", "MSG"},
	{"observability", "OBS"}, {"security", "SEC"}, {"infra", "INFRA"}, {"growth", "GROW"}, {"ads", "ADS"},
	{"media", "MEDIA"}, {"fulfilment", "FUL"}, {"pricing", "PRICE"}, {"support", "SUP"}, {"compliance", "COMP"},
	{"edge", "EDGE"}, {"devex", "DEVX"}, {"analytics", "ANLT"}, {"maps", "MAPS"}, {"inventory", "INV"},
}

var incidents = []string{
	"%s outage after a configuration push",
	"elevated error rates in %s during the evening peak",
	"%s returned stale results for three hours",
	"duplicate events written by %s after a consumer reset",
	"%s unavailable in one region after a failed failover",
	"slow responses from %s after a database migration",
	"expired certificate took down %s",
	"%s crash-looped after a dependency upgrade",
	"queue backlog in %s delayed customer e-mails",
	"partial data loss in %s after a disk filled up",
	"%s rate-limited legitimate traffic after a deploy",
	"memory exhaustion in %s during a batch import",
}

var narrative = []string{
	"Requests to {svc} failed with timeouts while {dep} was saturated.",
	"The error rate of {svc} rose to {pct}% within {n} minutes of the change.",
	"Customers in {region} saw slow pages and some checkouts did not complete.",
	"The change had passed review and the staging checks the day before.",
	"The on-call engineer rolled back the release once the dashboards showed the cause.",
	"Traffic shifted to the remaining nodes, which then ran out of connections.",
	"Most clients retried and succeeded once {svc} recovered.",
	"The {job} job started {n} minutes later than usual that night.",
	"Support received {m} tickets about failed requests during the window.",
	"Latency in {svc} stayed above the SLO for most of the incident.",
	"We restarted {dep} in every zone and the queue drained over the next hour.",
	"The deploy pipeline promoted the build to all regions at once.",
	"A fix was prepared in parallel but was not needed after the rollback.",
	"Engineers from {team} and the platform on-call joined the incident call.",
	"Capacity in {region} had been reduced the week before for maintenance.",
	"The status page was updated {n} minutes after the first alert.",
}

var events = []string{
	"Deploy of {svc} starts in {region}.",
	"Error rate of {svc} crosses {pct}%.",
	"Incident declared; {team} on-call takes the lead.",
	"{dep} connection pool exhausted on {n} hosts.",
	"Rollback of {svc} started.",
	"Rollback complete in {region}; errors fall.",
	"Status page updated.",
	"The {job} job paused by hand.",
	"Traffic drained from {region}.",
	"Queue depth of {dep} starts to fall.",
	"Customer support reports failed requests.",
	"Config change reverted.",
}

var wentWell = []string{
	"The rollback of {svc} took under {n} minutes once it was started.",
	"The {team} on-call had the owner of {dep} on the call quickly.",
	"Alerts fired within minutes of the first errors.",
	"The runbook for draining {region} worked as written.",
	"Customer support had a macro ready for the affected customers.",
}

var lucky = []string{
	"The incident fell in the quietest hour of the week for {region}.",
	"A spare {db} replica had been provisioned the day before.",
	"The {job} job had not yet started when the change was reverted.",
	"Only a small share of traffic used the affected path.",
}

// causes are contributing factors: each names what went wrong (because,
// not, no, failed, too, only, ...) in at least ten words, as prose
// factors must.
var causes = []string{
	"The {svc} connection pool was too small for this year's traffic, so requests queued once load rose by {pct}%.",
	"A configuration push to {svc} disabled the response cache in every region at once, not one region at a time.",
	"The {job} job ran during peak hours and filled the disks of {n} {db} nodes because nobody had moved it after the migration.",
	"Retries in {svc} had no backoff, which tripled the load on {dep} while it was already struggling.",
	"The error-rate alert for {svc} paged nobody because its routing key had expired months earlier.",
	"The runbook for {svc} was last updated before the move to {region}, so its rollback steps did not work.",
	"The {dep} client timed out after {n} seconds but the load balancer waited {m} seconds, which was too long, so connections piled up.",
	"The on-call engineers had no read access to the {svc} dashboards, which delayed the diagnosis by {n} minutes.",
	"The canary for {svc} checked only for HTTP 200 answers, not for latency, so the slow build was promoted.",
	"A schema migration on {db} locked a hot table for {n} minutes because it was not split into batches.",
	"The certificate for {host} expired because its renewal job had failed silently for {n} weeks.",
	"Autoscaling for {svc} used CPU as its signal, but the workers were bound by I/O and did not scale out.",
	"The {dep} dependency was upgraded without a changelog review, and its new default timeout was too short.",
	"Feature flags for {svc} were evaluated on every request with no local cache, which overloaded the flag service.",
	"The deploy pipeline had no bake time between regions, so the faulty build reached {region} within minutes.",
	"The {job} job did not wait for the upstream export to finish and published an empty snapshot.",
	"Rate limits in {svc} were applied per node, not per client, so one noisy client starved the others.",
	"The disk usage alert on {db} was set at {pct}% and fired only after the volume was already full.",
	"Health checks for {svc} only tested that the process was up, not that it could reach {dep}.",
	"A manual failover left {dep} pointing at the old primary because the DNS TTL was too long.",
	"Log volume from {svc} grew {n}-fold after a debug flag was left on, and the collectors dropped events because they were not sized for it.",
	"The queue consumer for {svc} acknowledged messages before processing them, so work in flight was lost on restart and not retried.",
	"Capacity planning for {region} did not account for the marketing campaign that doubled traffic.",
	"Two teams changed the {svc} configuration in the same hour, and neither knew of the other's change because nothing announced it.",
}

// causeDetails follow a cause: a second sentence, or a nested bullet.
var causeDetails = []string{
	"This had been noted in an earlier review but was never scheduled.",
	"The same pattern exists in at least {n} other services.",
	"The dashboards showed the problem, but nobody was looking at them at the time.",
	"It only matters under load, which is why staging did not show it.",
	"The setting was copied from a template written for a much smaller service.",
	"We confirmed this by replaying the traffic of the incident window in staging.",
}

// remedyDetails follow a remedy's bold title.
var remedyDetails = []string{
	"This is tracked together with the wider work on {svc} reliability.",
	"It should take about {n} days of work and needs a short design review first.",
	"Both the code change and the rollout plan need sign-off from {team}.",
	"Measure the effect on {dep} latency before and after the change.",
	"Start with the services that page most often.",
	"Keep the old path behind a flag for {n} days so that it can be rolled back.",
}

// remedies are action items: each starts with a verb.
var remedies = []string{
	"Add exponential backoff with jitter to retries in {svc}",
	"Alert on {dep} queue depth and on the age of the oldest message",
	"Move the {job} job out of peak hours",
	"Document the rollback procedure for {svc} in its runbook",
	"Give the on-call read access to the {svc} dashboards",
	"Load-test {svc} at twice last year's peak traffic",
	"Renew the {host} certificate automatically and alert {n} days before expiry",
	"Make the {job} job wait for the upstream export's completion marker",
	"Add a latency check to the {svc} canary analysis",
	"Split schema migrations on {db} into batches of {m} rows",
	"Review the connection pool limits of {svc} every quarter",
	"Remove console write access to the production settings of {svc}",
	"Shorten the {svc} SLO alert window from {n} to 5 minutes",
	"Cap retries in {svc} at {n} attempts",
	"Add a bake time of {n} minutes between regions to the {svc} pipeline",
	"Cache feature flag lookups in {svc} for {n} seconds",
	"Apply rate limits in {svc} per client instead of per node",
	"Lower the disk usage alert threshold on {db} to {pct}%",
	"Make the {svc} health check verify that it can reach {dep}",
	"Reduce the DNS TTL of the {dep} endpoint to {n} seconds",
	"Turn off debug logging in {svc} by default and alert on log volume",
	"Acknowledge messages in the {svc} consumer only after processing them",
	"Include marketing campaigns in the capacity plan for {region}",
	"Announce configuration changes to {svc} in the team channel before applying them",
	"Autoscale {svc} on request concurrency instead of CPU",
	"Write a runbook for draining {region} safely",
	"Run a failover drill for {dep} every month",
	"Replay incident traffic against {svc} in staging before each release",
	"Track the time to detect incidents in {team} on the reliability dashboard",
	"Audit the alert routing keys of every {team} service",
	"Upgrade the {dep} client library and review its default timeouts",
	"Automate the failover of {db} and test it in staging",
}

var kinds = []string{"prevent", "mitigate", "detect", "process", "repair"}

var jobs = []string{"nightly index rebuild", "billing export", "backup", "compaction", "report generation", "cache warm-up", "data retention"}

var dbs = []string{"Postgres", "MySQL", "Cassandra", "Elasticsearch", "Redis", "Kafka"}

var hosts = []string{"api.acme.example", "pay.acme.example", "cdn.acme.example", "auth.acme.example", "status.acme.example"}

var regions = []string{"eu-west-1", "us-east-1", "ap-southeast-2", "eu-central-1", "us-west-2"}
