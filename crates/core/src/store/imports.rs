//! The last Terraform import of each service (migration 0005): the common ancestor of the next
//! re-import's three-way merge.

use std::path::Path;

use super::{Context, Result, Store, StoreError, content_hash, revisions::stored_document, time};
use crate::model::{self, ModelId, RevisionId, ServiceModel};

impl Store {
    /// Keeps `import` (the model as the code gave it, from Terraform root module `root`) as the
    /// last import of its service, saved as or merged into `revision`. Replaces the previous one.
    pub async fn keep_terraform_import(
        &self,
        import: &ServiceModel,
        revision: RevisionId,
        root: &str,
    ) -> Result<()> {
        let document = stored_document(import);
        let hash = content_hash(&document);
        let mut tx = self.begin_write("keeping the Terraform import").await?;
        sqlx::query(
            r#"INSERT INTO terraform_imports (model_id, revision_id, root, created_at, content_hash, document)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (model_id) DO UPDATE SET revision_id = excluded.revision_id,
                 root = excluded.root, created_at = excluded.created_at,
                 content_hash = excluded.content_hash, document = excluded.document"#,
        )
        .bind(import.id.to_string())
        .bind(revision.to_string())
        .bind(root)
        .bind(time::now())
        .bind(&hash)
        .bind(&document)
        .execute(&mut *tx)
        .await
        .context("keeping the Terraform import")?;
        tx.commit().await.context("keeping the Terraform import")?;
        Ok(())
    }

    /// The last Terraform import of `service`, checked against its hash; `None` when the
    /// service was never imported (or only before the workspace kept imports).
    pub async fn last_terraform_import(&self, service: ModelId) -> Result<Option<ServiceModel>> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT content_hash, document FROM terraform_imports WHERE model_id = ?",
        )
        .bind(service.to_string())
        .fetch_optional(&self.pool)
        .await
        .context("reading the last Terraform import")?;
        let Some((hash, document)) = row else {
            return Ok(None);
        };
        if content_hash(&document) != hash {
            return Err(StoreError::Damaged(format!(
                "the last Terraform import of model {service} does not match its hash"
            )));
        }
        model::from_json(
            document.as_bytes(),
            Path::new(&format!("the last Terraform import of model {service}")),
        )
        .map(Some)
        .map_err(|err| StoreError::Damaged(err.to_string()))
    }
}
