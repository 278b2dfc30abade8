# Generated from ui/lead_badge_dialog.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QDialogButtonBox,
    QFormLayout, QLabel, QLineEdit, QSizePolicy,
    QVBoxLayout, QWidget)

class Ui_LeadBadgeDialog(object):
    def setupUi(self, LeadBadgeDialog):
        if not LeadBadgeDialog.objectName():
            LeadBadgeDialog.setObjectName(u"LeadBadgeDialog")
        LeadBadgeDialog.resize(560, 220)
        self.rootLayout = QVBoxLayout(LeadBadgeDialog)
        self.rootLayout.setObjectName(u"rootLayout")
        self.question = QLabel(LeadBadgeDialog)
        self.question.setObjectName(u"question")
        self.question.setTextFormat(Qt.TextFormat.PlainText)
        self.question.setWordWrap(True)

        self.rootLayout.addWidget(self.question)

        self.form = QFormLayout()
        self.form.setObjectName(u"form")
        self.badgeLabel = QLabel(LeadBadgeDialog)
        self.badgeLabel.setObjectName(u"badgeLabel")
        self.badgeLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.badgeLabel)

        self.badgeEdit = QLineEdit(LeadBadgeDialog)
        self.badgeEdit.setObjectName(u"badgeEdit")

        self.form.setWidget(0, QFormLayout.ItemRole.FieldRole, self.badgeEdit)

        self.pinLabel = QLabel(LeadBadgeDialog)
        self.pinLabel.setObjectName(u"pinLabel")
        self.pinLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(1, QFormLayout.ItemRole.LabelRole, self.pinLabel)

        self.pinEdit = QLineEdit(LeadBadgeDialog)
        self.pinEdit.setObjectName(u"pinEdit")
        self.pinEdit.setMaxLength(12)
        self.pinEdit.setEchoMode(QLineEdit.EchoMode.Password)

        self.form.setWidget(1, QFormLayout.ItemRole.FieldRole, self.pinEdit)

        self.noteLabel = QLabel(LeadBadgeDialog)
        self.noteLabel.setObjectName(u"noteLabel")
        self.noteLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.noteLabel.setWordWrap(True)

        self.form.setWidget(2, QFormLayout.ItemRole.LabelRole, self.noteLabel)

        self.noteEdit = QLineEdit(LeadBadgeDialog)
        self.noteEdit.setObjectName(u"noteEdit")
        self.noteEdit.setMaxLength(1000)

        self.form.setWidget(2, QFormLayout.ItemRole.FieldRole, self.noteEdit)


        self.rootLayout.addLayout(self.form)

        self.problem = QLabel(LeadBadgeDialog)
        self.problem.setObjectName(u"problem")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)

        self.rootLayout.addWidget(self.problem)

        self.buttonBox = QDialogButtonBox(LeadBadgeDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Ok)

        self.rootLayout.addWidget(self.buttonBox)

        self.badgeLabel.setBuddy(self.badgeEdit)
        self.pinLabel.setBuddy(self.pinEdit)
        self.noteLabel.setBuddy(self.noteEdit)
        QWidget.setTabOrder(self.badgeEdit, self.pinEdit)
        QWidget.setTabOrder(self.pinEdit, self.noteEdit)

        self.retranslateUi(LeadBadgeDialog)
        self.buttonBox.accepted.connect(LeadBadgeDialog.accept)
        self.buttonBox.rejected.connect(LeadBadgeDialog.reject)

        QMetaObject.connectSlotsByName(LeadBadgeDialog)
    # setupUi

    def retranslateUi(self, LeadBadgeDialog):
        LeadBadgeDialog.setWindowTitle(QCoreApplication.translate("LeadBadgeDialog", u"Shift lead confirmation", None))
        self.question.setText("")
        self.badgeLabel.setText(QCoreApplication.translate("LeadBadgeDialog", u"Shift lead badge", None))
        self.badgeEdit.setPlaceholderText(QCoreApplication.translate("LeadBadgeDialog", u"scan or type the lead's badge", None))
        self.badgeEdit.setAccessibleName(QCoreApplication.translate("LeadBadgeDialog", u"Shift lead badge", None))
        self.pinLabel.setText(QCoreApplication.translate("LeadBadgeDialog", u"PIN", None))
        self.pinEdit.setAccessibleName(QCoreApplication.translate("LeadBadgeDialog", u"PIN", None))
        self.noteLabel.setText("")
        self.problem.setText("")
        self.problem.setStyleSheet(QCoreApplication.translate("LeadBadgeDialog", u"color:#842029", None))
    # retranslateUi
