/* groupcommit.h — writes that must be on disk before the client is answered
 * (a reader's comment), gathered into one transaction and one fsync.
 *
 * A handler that wants its write committed this way fills a struct gc_job
 * and hands it to the dynamic layer (http_res.defer); the connection is
 * suspended, the writer thread runs every queued job inside one BEGIN
 * IMMEDIATE … COMMIT on a durable connection, then resumes the connections,
 * whose prepared answers go out. One fsync serves many comments. */
#ifndef DEPESCHE_HTTP_GROUPCOMMIT_H
#define DEPESCHE_HTTP_GROUPCOMMIT_H

struct store;
struct MHD_Connection;

struct gc_job {
	/* Runs inside the writer's transaction; an error undoes only this job. */
	int (*run)(struct store *st, void *arg);
	void *arg;
	void (*free_arg)(void *arg);  /* NULL-tolerant destructor of arg */
	int rc;                       /* the result, set before the connection resumes */
	int done;
	struct MHD_Connection *conn;  /* set by the dynamic layer */
	struct gc_job *next;
};

struct groupcommit;

int groupcommit_start(const char *db_path, struct groupcommit **ret);
/* Queues job; the writer resumes job->conn when it is committed. */
void groupcommit_submit(struct groupcommit *g, struct gc_job *job);
/* Finishes what is queued, then stops. NULL-tolerant. */
void groupcommit_stop(struct groupcommit *g);
void gc_job_free(struct gc_job *job);

#endif
